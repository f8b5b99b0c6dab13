// Single-job mode: whether the preset can write what OUTPUT_URL's name promises, decided before any download.
import { err, ok, type Result } from "neverthrow";
import type { PresetName } from "../preset-names.ts";
import type { PlanRejection } from "./check-input.ts";
import { CONTAINER_EXTENSIONS, type CopyContainer } from "./copy-containers.ts";
import { PRESETS } from "./presets.ts";

/** A local path receives the files as they are; a presigned URL receives one object (HLS: a tar of the package). */
export type OutputDelivery = "path" | "url";

const extensionOf = (name: string): string | null =>
  /\.([A-Za-z0-9]+)$/.exec(name)?.[1]?.toLowerCase() ?? null;

const COPY_CONTAINERS = Object.entries(CONTAINER_EXTENSIONS) as [CopyContainer, string][];

const mismatch = (ext: string, writes: string): Result<never, PlanRejection> =>
  err({ code: "output-mismatch", message: `the output URL ends in .${ext}; ${writes}` });

/**
 * ok(container) for stream copy (the container the name asks for), ok(undefined) when any output suits the name
 * (or it has no extension), or the reason the preset cannot write it.
 */
export const checkOutputName = (
  preset: PresetName,
  name: string,
  delivery: OutputDelivery,
): Result<CopyContainer | undefined, PlanRejection> => {
  const ext = extensionOf(name);
  if (ext === null) return ok(undefined);
  const recipe = PRESETS[preset].recipe;
  switch (recipe.kind) {
    case "mp4":
      return ext === "mp4" ? ok(undefined) : mismatch(ext, `the ${preset} preset writes .mp4`);
    case "hls": {
      const wanted = delivery === "url" ? "tar" : "m3u8";
      const writes =
        delivery === "url"
          ? "the hls preset PUTs its package as one .tar archive"
          : "the hls preset writes its master playlist (.m3u8) there, with the ladder beside it";
      return ext === wanted ? ok(undefined) : mismatch(ext, writes);
    }
    case "copy": {
      const container = COPY_CONTAINERS.find(([, e]) => e === ext)?.[0];
      return container !== undefined
        ? ok(container)
        : mismatch(ext, `the ${preset} preset (stream copy) writes .mp4, .webm or .mkv`);
    }
    default: {
      const unreachable: never = recipe;
      throw new Error(`unknown preset recipe ${JSON.stringify(unreachable)}`);
    }
  }
};
