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
import { commandWork, ffmpegTimeLimitMs } from "./ffmpeg-time-limit.ts";
import { planPosterFilter } from "./plan-video-filter.ts";
import type { StreamSpan } from "./stream-spans.ts";

export const POSTER_FILE = "poster.jpg";
export const POSTER_MAX_WIDTH = 1280;

export interface PosterContext {
  readonly preset: PresetName;
  readonly inputPath: string;
  readonly outDir: string;
  readonly maxRunMs: number;
  readonly inputOptions: readonly string[];
}

/**
 * One second into the video, or halfway through a shorter one (the very first frame is often black), on ffmpeg's
 * output clock: the video's own span decides, not the container's (audio or subtitles may run far longer).
 */
export const posterSeekSec = (video: StreamSpan, clockStartSec?: number): number =>
  Math.max(0, video.startSec - (clockStartSec ?? video.startSec)) +
  Math.min(1, (video.endSec - video.startSec) / 2);

export const planPoster = (
  input: CheckedInput,
  ctx: PosterContext,
): { command: FfmpegCommand; output: PlannedOutput } => {
  const size = fitWidth(input.display, POSTER_MAX_WIDTH);
  const argv = [
    ...ffmpegHeadArgs(),
    // Output seeking: decodes up to the time (at most a second of video). Input seeking would jump by the index,
    // and in a stream without one (MPEG-TS with one keyframe, a raw stream) it can land past the last keyframe.
    ...[...ctx.inputOptions, "-i", ctx.inputPath],
    ...["-ss", posterSeekSec(input.videoSpan, input.clockStartSec).toFixed(3)],
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
    command: { argv, timeLimitMs, purpose: "poster", work: commandWork(ctx.preset, input) },
    output: { type: "poster", path: POSTER_FILE, isPattern: false, contentType: CONTENT_TYPES.jpeg },
  };
};
