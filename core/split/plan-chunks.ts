// Whether a long job is split into chunk tasks, and where it is cut: whole source GOPs near multiples of the chunk
// length, so each chunk machine seeks to a keyframe and decodes nothing it throws away.
import { PRESETS } from "../ffmpeg/presets.ts";
import type { PresetName } from "../preset-names.ts";

export interface SplitSettings {
  /** Jobs whose input is longer than this are split; 0 turns splitting off. */
  readonly splitAfterS: number;
  /** The chunk length aimed at: a whole multiple of segmentS. */
  readonly chunkTargetS: number;
  /** The HLS segment length: chunk boundaries fall on its grid when the source's keyframes do. */
  readonly segmentS: number;
}

export interface ChunkSpan {
  readonly index: number;
  readonly startS: number;
  readonly endS: number;
}

/** SPLIT_AFTER_SECONDS and SPLIT_CHUNK_SECONDS when unset. */
export const DEFAULT_SPLIT = { splitAfterS: 120, chunkS: 60 } as const;

/** The HLS preset's segment length: every chunk length is a multiple of it, MP4 or HLS alike. */
export const SPLIT_SEGMENT_S = (() => {
  const recipe = PRESETS.hls.recipe;
  if (recipe.kind !== "hls") throw new Error("the hls preset must have an HLS recipe");
  return recipe.segmentSec;
})();

/**
 * Settings from the operator's SPLIT_AFTER_SECONDS and SPLIT_CHUNK_SECONDS: the chunk length is rounded to the
 * nearest multiple of the segment length (at least one segment).
 */
export const splitSettings = (input: {
  readonly splitAfterS: number;
  readonly chunkS: number;
  readonly segmentS?: number;
}): SplitSettings => {
  const segmentS = input.segmentS ?? SPLIT_SEGMENT_S;
  if (!(segmentS > 0)) throw new RangeError(`segmentS must be positive, got ${segmentS}`);
  if (!(input.chunkS > 0)) throw new RangeError(`chunk seconds must be positive, got ${input.chunkS}`);
  if (!(input.splitAfterS >= 0)) throw new RangeError(`splitAfterS must be >= 0, got ${input.splitAfterS}`);
  const chunkTargetS = Math.max(1, Math.round(input.chunkS / segmentS)) * segmentS;
  return { splitAfterS: input.splitAfterS, chunkTargetS, segmentS };
};

/** Whether a job of this duration and preset is split (only presets that re-encode; never `default` copy). */
export const shouldSplit = (
  input: { readonly durationS: number; readonly preset: PresetName },
  settings: SplitSettings,
): boolean =>
  settings.splitAfterS > 0 &&
  PRESETS[input.preset].recipe.kind !== "copy" &&
  input.durationS > settings.splitAfterS &&
  // Room for two chunks (planChunks' tail rule); one chunk would only add a stitch.
  input.durationS > 1.5 * settings.chunkTargetS;

/**
 * Chunks of whole GOPs: boundaries at source keyframes nearest to multiples of chunkTargetS (a multiple of
 * segmentS), covering [0, durationS). A tail shorter than half a chunk joins the chunk before it; a boundary that
 * would repeat or pass the previous one is skipped, so every chunk is non-empty. No keyframes past 0: one chunk.
 */
export const planChunks = (
  input: { readonly durationS: number; readonly keyframeTimesS: readonly number[] },
  settings: SplitSettings,
): readonly ChunkSpan[] => {
  const { durationS } = input;
  const target = settings.chunkTargetS;
  if (!(durationS > 0)) return [];
  const keyframes = [...input.keyframeTimesS].filter((t) => t > 0 && t < durationS).sort((a, b) => a - b);
  const boundaries: number[] = [0];
  for (let k = 1; k * target < durationS - target / 2; k += 1) {
    const nearest = nearestTo(keyframes, k * target);
    const previous = boundaries[boundaries.length - 1] ?? 0;
    if (nearest === undefined || nearest <= previous) continue;
    if (durationS - nearest < target / 2) break;
    boundaries.push(nearest);
  }
  boundaries.push(durationS);
  return boundaries.slice(0, -1).map((startS, index) => ({
    index,
    startS,
    endS: boundaries[index + 1] ?? durationS,
  }));
};

/**
 * Chunks on the segment grid, for HLS: every boundary at an exact multiple of chunkTargetS, so each chunk's segments
 * are the target length and the joined playlists have only one short segment, the last. A chunk seeks to its start
 * (decoding from the keyframe before it); the tail rule is planChunks'.
 */
export const planGridChunks = (durationS: number, settings: SplitSettings): readonly ChunkSpan[] => {
  if (!(durationS > 0)) return [];
  const target = settings.chunkTargetS;
  const boundaries: number[] = [0];
  for (let k = 1; durationS - k * target > target / 2; k += 1) boundaries.push(k * target);
  boundaries.push(durationS);
  return boundaries.slice(0, -1).map((startS, index) => ({
    index,
    startS,
    endS: boundaries[index + 1] ?? durationS,
  }));
};

/** The value in sorted `times` nearest to `t` (the earlier one on a tie). */
const nearestTo = (times: readonly number[], t: number): number | undefined => {
  let best: number | undefined;
  for (const time of times) {
    if (best === undefined || Math.abs(time - t) < Math.abs(best - t)) best = time;
    if (time > t) break;
  }
  return best;
};
