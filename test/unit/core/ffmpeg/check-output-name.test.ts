// checkOutputName: what OUTPUT_URL's name promises, per preset, decided before anything is downloaded.
import { describe, expect, it } from "vitest";
import { checkOutputName, type OutputDelivery } from "../../../../core/ffmpeg/check-output-name.ts";
import type { CopyContainer } from "../../../../core/ffmpeg/copy-containers.ts";
import type { PresetName } from "../../../../core/preset-names.ts";

describe("checkOutputName accepts", () => {
  it.each<{ preset: PresetName; name: string; delivery: OutputDelivery; then: CopyContainer | undefined }>([
    { preset: "web-optimized", name: "clip.mp4", delivery: "url", then: undefined },
    { preset: "mobile", name: "CLIP.MP4", delivery: "path", then: undefined },
    { preset: "hls", name: "package.tar", delivery: "url", then: undefined },
    { preset: "hls", name: "master.m3u8", delivery: "path", then: undefined },
    { preset: "default", name: "video.mp4", delivery: "url", then: "mp4" },
    { preset: "default", name: "video.webm", delivery: "url", then: "webm" },
    { preset: "default", name: "video.mkv", delivery: "path", then: "matroska" },
    { preset: "default", name: "video", delivery: "url", then: undefined },
    { preset: "web-optimized", name: "", delivery: "url", then: undefined },
  ])("$preset → $name ($delivery)", ({ preset, name, delivery, then }) => {
    expect(checkOutputName(preset, name, delivery)._unsafeUnwrap()).toBe(then);
  });
});

describe("checkOutputName refuses", () => {
  it.each<{ preset: PresetName; name: string; delivery: OutputDelivery; message: string }>([
    {
      preset: "web-optimized",
      name: "clip.mkv",
      delivery: "url",
      message: "the output URL ends in .mkv; the web-optimized preset writes .mp4",
    },
    {
      preset: "hls",
      name: "master.m3u8",
      delivery: "url",
      message: "the output URL ends in .m3u8; the hls preset PUTs its package as one .tar archive",
    },
    {
      preset: "hls",
      name: "out.mp4",
      delivery: "path",
      message:
        "the output URL ends in .mp4; the hls preset writes its master playlist (.m3u8) there, with the ladder beside it",
    },
    {
      preset: "default",
      name: "video.avi",
      delivery: "url",
      message: "the output URL ends in .avi; the default preset (stream copy) writes .mp4, .webm or .mkv",
    },
  ])("$preset → $name ($delivery)", ({ preset, name, delivery, message }) => {
    expect(checkOutputName(preset, name, delivery)._unsafeUnwrapErr()).toEqual({
      code: "output-mismatch",
      message,
    });
  });
});
