// How long one ffmpeg command may run before the worker kills it: grows with duration, preset and frame size.
import type { PresetName } from "../preset-names.ts";
import type { CheckedInput } from "./check-input.ts";
import { detectHdr } from "./detect-hdr.ts";
import type { FfmpegCommand, StepContext } from "./ffmpeg-plan.ts";
import { PRESETS } from "./presets.ts";

export interface TimeLimitInput {
  readonly preset: PresetName;
  readonly purpose: "transcode" | "poster";
  readonly durationSec: number;
  /** Coded width × height of the source video. */
  readonly sourcePixels: number;
  /** Hard ceiling for any single command. */
  readonly maxRunMs: number;
  /** The encode tone-maps HDR to SDR: a float RGB stage on every frame. */
  readonly toneMapped?: boolean;
}

/** Startup, probing and muxer finalisation (faststart rewrites the whole file) before the per-second cost. */
const BASE_MS = 60_000;
const POSTER_BASE_MS = 30_000;
const POSTER_PER_SCALE_MS = 5_000;
const REFERENCE_PIXELS = 1280 * 720;

/** Tone-mapping 4K HLG made a web-optimized encode take 1.8 times as long (11.8 s against 6.7 s, 2 cores). */
const TONE_MAP_FACTOR = 2;

/** Decode and encode cost grows with pixels; smaller sources still pay a 720p-sized budget. */
const pixelScale = (sourcePixels: number): number => Math.max(1, sourcePixels / REFERENCE_PIXELS);

export const ffmpegTimeLimitMs = (input: TimeLimitInput): number => {
  const scale = pixelScale(input.sourcePixels);
  const spec = PRESETS[input.preset];
  let limitMs: number;
  switch (input.purpose) {
    case "poster":
      // One decoded frame after a seek: independent of duration.
      limitMs = POSTER_BASE_MS + POSTER_PER_SCALE_MS * scale;
      break;
    case "transcode": {
      // Stream copy is I/O bound: frame size (and dynamic range, left as it is) does not matter.
      const encodeScale = scale * (input.toneMapped === true ? TONE_MAP_FACTOR : 1);
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

/** The transcode command of a preset plan, with its time limit from the input's duration and size. */
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
    maxRunMs: ctx.maxRunMs,
    toneMapped: detectHdr(input.video) !== undefined,
  }),
});
