// Plans the poster every preset leaves next to its video: one JPEG frame from early in the clip.
import type { PresetName } from "../preset-names.ts";
import type { CheckedInput } from "./check-input.ts";
import { fitWidth } from "./display-size.ts";
import {
  CONTENT_TYPES,
  type FfmpegCommand,
  ffmpegHeadArgs,
  joinPath,
  type PlannedOutput,
} from "./ffmpeg-plan.ts";
import { ffmpegTimeLimitMs } from "./ffmpeg-time-limit.ts";
import { planPosterFilter } from "./plan-video-filter.ts";

export const POSTER_FILE = "poster.jpg";
export const POSTER_MAX_WIDTH = 1280;

export interface PosterContext {
  readonly preset: PresetName;
  readonly inputPath: string;
  readonly outDir: string;
  readonly maxRunMs: number;
}

/** One second in, or halfway through a shorter clip (the very first frame is often black). */
export const posterSeekSec = (durationSec: number): number => Math.min(1, durationSec / 2);

// Containers without a seek index: ffmpeg seeks them by searching timestamps and lands between keyframes, so
// with a long GOP (x264's default is 250 frames) the decoder finds no picture before the end and the poster
// comes out empty. Decoding from the start instead costs at most the one second up to the poster.
const UNINDEXED_FORMATS: ReadonlySet<string> = new Set([
  ...["mpegts", "mpegtsraw", "mpeg", "mpegvideo", "h264", "hevc", "m4v", "vc1", "dv"],
]);

/** Whether `-ss` before `-i` lands on a decodable frame for this container (the poster and the quality check). */
export const canSeekInput = (formatName: string): boolean =>
  !formatName.split(",").some((name) => UNINDEXED_FORMATS.has(name));

export const planPoster = (
  input: CheckedInput,
  ctx: PosterContext,
): { command: FfmpegCommand; output: PlannedOutput } => {
  const size = fitWidth(input.display, POSTER_MAX_WIDTH);
  const seek = ["-ss", posterSeekSec(input.durationSec).toFixed(3)];
  const inputSeek = canSeekInput(input.probe.formatName);
  const argv = [
    ...ffmpegHeadArgs(),
    // Input seeking: jumps to the keyframe before the time (from the index), then decodes up to it.
    ...(inputSeek ? seek : []),
    ...["-i", ctx.inputPath],
    ...(inputSeek ? [] : seek),
    ...["-map", `0:${input.video.index}`, "-map_metadata", "-1"],
    ...["-frames:v", "1", "-update", "1"],
    // JPEG is full range. Converting in our own filters and handing the encoder yuv420p tagged "pc" avoids the
    // deprecated yuvj420p path and its warnings; "unofficial" is what ffmpeg 5.1's mjpeg wants for yuv420p.
    ...["-vf", planPosterFilter(input, size)],
    ...["-color_range", "pc", "-strict", "unofficial", "-c:v", "mjpeg", "-q:v", "3"],
    ...["-f", "image2", joinPath(ctx.outDir, POSTER_FILE)],
  ];
  const timeLimitMs = ffmpegTimeLimitMs({
    preset: ctx.preset,
    purpose: "poster",
    durationSec: input.durationSec,
    sourcePixels: input.sourcePixels,
    maxRunMs: ctx.maxRunMs,
  });
  return {
    command: { argv, timeLimitMs, purpose: "poster" },
    output: { type: "poster", path: POSTER_FILE, isPattern: false, contentType: CONTENT_TYPES.jpeg },
  };
};
