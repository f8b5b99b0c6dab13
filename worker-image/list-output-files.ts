// The files a finished plan left in its output directory, each paired with the planned output it belongs to.
import { readdir, stat } from "node:fs/promises";
import { join } from "node:path";
import { err, ok, type Result } from "neverthrow";
import { type FfmpegPlan, matchesPlannedOutput, type PlannedOutput } from "../core/ffmpeg/ffmpeg-plan.ts";
import { type JobFailure, outputInvalid } from "./job-failure.ts";

export interface OutputFile {
  /** Path relative to the output directory, "/"-separated ("720p/seg_000.ts"). */
  readonly relativePath: string;
  readonly absolutePath: string;
  readonly size: number;
  readonly output: PlannedOutput;
}

const walk = async (root: string, prefix = ""): Promise<string[]> => {
  const entries = await readdir(join(root, prefix), { withFileTypes: true });
  const nested = await Promise.all(
    entries.map(async (entry) => {
      const relative = prefix === "" ? entry.name : `${prefix}/${entry.name}`;
      if (entry.isDirectory()) return walk(root, relative);
      return entry.isFile() ? [relative] : [];
    }),
  );
  return nested.flat().sort();
};

/**
 * Every file matching a planned output, in a stable order (playlists last, so a reader who sees a playlist finds
 * its segments already stored). A planned single file that is missing fails the job; stray files are ignored.
 */
export const listOutputFiles = async (
  plan: FfmpegPlan,
  outDir: string,
): Promise<Result<OutputFile[], JobFailure>> => {
  let paths: string[];
  try {
    paths = await walk(outDir);
  } catch (error) {
    return err(outputInvalid(`cannot list the outputs: ${(error as Error).message}`));
  }
  const files: OutputFile[] = [];
  for (const relativePath of paths) {
    const output = plan.outputs.find((o) => matchesPlannedOutput(o, relativePath));
    if (output === undefined) continue;
    const absolutePath = join(outDir, relativePath);
    files.push({ relativePath, absolutePath, size: (await stat(absolutePath)).size, output });
  }
  const missing = plan.outputs.filter((o) => !o.isPattern && !files.some((f) => f.output === o));
  if (missing.length > 0) {
    return err(outputInvalid(`ffmpeg did not write ${missing.map((o) => o.path).join(", ")}`));
  }
  const empty = files.find((f) => f.size === 0);
  if (empty !== undefined) return err(outputInvalid(`ffmpeg wrote an empty ${empty.relativePath}`));
  const rank = (f: OutputFile) =>
    f.output.type === "hls-master" ? 2 : f.output.type === "hls-playlist" ? 1 : 0;
  return ok(files.sort((a, b) => rank(a) - rank(b)));
};
