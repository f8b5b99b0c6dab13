// How long one ffmpeg command may run before the worker kills it: from the work (pixels per second × duration, per
// preset's cost factor), between a floor and the operator's ceiling.
import type { PresetName } from "../preset-names.ts";
import type { CheckedInput } from "./check-input.ts";
import { detectHdr } from "./detect-hdr.ts";
import type { CommandWork, FfmpegCommand, StepContext } from "./ffmpeg-plan.ts";
import { PRESETS } from "./presets.ts";

export interface TimeLimitInput {
  readonly preset: PresetName;
  readonly purpose: "transcode" | "poster";
  readonly durationSec: number;
  /** Coded width × height of the source video. */
  readonly sourcePixels: number;
  /** The source's frame rate; absent when the probe states none (then REFERENCE_FPS is assumed). */
  readonly framesPerSecond?: number;
  /** Hard ceiling for any single command. */
  readonly maxRunMs: number;
  /** The encode tone-maps HDR to SDR: a float RGB stage on every frame. */
  readonly toneMapped?: boolean;
}

/** Startup, probing and muxer finalisation (faststart rewrites the whole file): the floor of every transcode. */
const BASE_MS = 60_000;
const POSTER_BASE_MS = 30_000;
const POSTER_PER_SCALE_MS = 5_000;
const REFERENCE_PIXELS = 1280 * 720;
/** The presets' cost factors (secondsPerMediaSecond) are wall seconds per second of 720p at this rate. */
const REFERENCE_FPS = 30;
const REFERENCE_PIXEL_RATE = REFERENCE_PIXELS * REFERENCE_FPS;

/** Tone-mapping 4K HLG made a web-optimized encode take 1.8 times as long (11.8 s against 6.7 s, 2 cores). */
const TONE_MAP_FACTOR = 2;

/**
 * Decode and encode cost grows with the pixels decoded per second of media (frame size × frame rate): 8K at 1 fps
 * is about as much work per second as 720p at 36 fps, not 36 times 720p30. Lighter sources still pay a
 * 720p30-sized budget (the floor per second).
 */
const workScale = (sourcePixels: number, framesPerSecond: number | undefined): number => {
  const fps = framesPerSecond !== undefined && framesPerSecond > 0 ? framesPerSecond : REFERENCE_FPS;
  return Math.max(1, (sourcePixels * fps) / REFERENCE_PIXEL_RATE);
};

export const ffmpegTimeLimitMs = (input: TimeLimitInput): number => {
  const spec = PRESETS[input.preset];
  let limitMs: number;
  switch (input.purpose) {
    case "poster":
      // One decoded frame after a seek: independent of duration and frame rate.
      limitMs = POSTER_BASE_MS + POSTER_PER_SCALE_MS * Math.max(1, input.sourcePixels / REFERENCE_PIXELS);
      break;
    case "transcode": {
      // Stream copy is I/O bound: frame size, rate (and dynamic range, left as it is) do not matter.
      const encodeScale =
        workScale(input.sourcePixels, input.framesPerSecond) *
        (input.toneMapped === true ? TONE_MAP_FACTOR : 1);
      const perSecondMs = 1000 * spec.secondsPerMediaSecond * (spec.recipe.kind === "copy" ? 1 : encodeScale);
      limitMs = BASE_MS + Math.max(0, input.durationSec) * perSecondMs;
      break;
    }
    default: {
      const unreachable: never = input.purpose;
      throw new Error(`unknown command purpose ${String(unreachable)}`);
    }
  }
  return Math.min(input.maxRunMs, Math.ceil(limitMs));
};

/** What a command's limit was derived from, as the job's time-limit failure states it. */
export const commandWork = (
  preset: PresetName,
  input: Pick<CheckedInput, "durationSec" | "video">,
): CommandWork => ({
  preset,
  width: input.video.width ?? 0,
  height: input.video.height ?? 0,
  durationSec: input.durationSec,
});

const seconds = (ms: number): string => {
  const s = ms / 1000;
  return Number.isInteger(s) ? String(s) : s.toFixed(1);
};

/** "exceeded its time limit of 75 s for 1280×720 × 10 s at preset web-optimized" (a poster: "for a 1280×720 frame"). */
export const describeTimeLimit = (command: FfmpegCommand): string => {
  const { work } = command;
  const size = `${work.width}×${work.height}`;
  const what =
    command.purpose === "poster" ? `a ${size} frame` : `${size} × ${seconds(work.durationSec * 1000)} s`;
  return `exceeded its time limit of ${seconds(command.timeLimitMs)} s for ${what} at preset ${work.preset}`;
};

/** The transcode command of a preset plan, with its time limit from the input's size, frame rate and duration. */
export const transcodeCommand = (
  argv: string[],
  preset: PresetName,
  input: Pick<CheckedInput, "durationSec" | "sourcePixels" | "video">,
  ctx: Pick<StepContext, "maxRunMs">,
): FfmpegCommand => ({
  argv,
  purpose: "transcode",
  timeLimitMs: ffmpegTimeLimitMs({
    preset,
    purpose: "transcode",
    durationSec: input.durationSec,
    sourcePixels: input.sourcePixels,
    ...(input.video.frameRate !== undefined ? { framesPerSecond: input.video.frameRate } : {}),
    maxRunMs: ctx.maxRunMs,
    toneMapped: detectHdr(input.video) !== undefined,
  }),
  work: commandWork(preset, input),
});
