// Whether a job is split into chunk tasks, and where the chunks start and end: whole GOPs, cut at source keyframes.
import { PRESETS } from "../ffmpeg/presets.ts";
import type { PresetName } from "../preset-names.ts";

export interface SplitSettings {
  /** Inputs longer than this (seconds) are split (SPLIT_AFTER_SECONDS). */
  readonly splitAfterS: number;
  /** About how long each chunk is (seconds); a multiple of segmentS. */
  readonly chunkTargetS: number;
  /** The HLS segment length (seconds). */
  readonly segmentS: number;
}

/** Only presets that re-encode are split: stream copy (`default`) is I/O bound and gains nothing from it. */
export const shouldSplit = (
  input: { readonly durationS: number; readonly preset: PresetName },
  settings: SplitSettings,
): boolean => PRESETS[input.preset].recipe.kind !== "copy" && input.durationS > settings.splitAfterS;

export interface ChunkSpan {
  readonly index: number;
  readonly startS: number;
  readonly endS: number;
}

/**
 * Chunk boundaries at the keyframes nearest each multiple of chunkTargetS (the earlier one on a tie), so every
 * chunk is whole GOPs. A multiple whose nearest keyframe is already a boundary adds none; without keyframes past
 * the start the whole input is one chunk. The spans cover [0, durationS] without gaps or overlaps.
 */
export const planChunks = (
  input: { readonly durationS: number; readonly keyframeTimesS: readonly number[] },
  settings: SplitSettings,
): readonly ChunkSpan[] => {
  const { durationS } = input;
  const keyframes = input.keyframeTimesS.filter((t) => t > 0 && t < durationS).sort((a, b) => a - b);
  const cuts: number[] = [];
  let last = -1; // index of the last keyframe at or before the target
  for (let target = settings.chunkTargetS; target < durationS; target += settings.chunkTargetS) {
    while (last + 1 < keyframes.length && (keyframes[last + 1] as number) <= target) last++;
    const before = keyframes[last];
    const after = keyframes[last + 1];
    const nearest =
      before === undefined || (after !== undefined && after - target < target - before) ? after : before;
    if (nearest !== undefined && nearest > (cuts.at(-1) ?? 0)) cuts.push(nearest);
  }
  const starts = [0, ...cuts];
  return starts.map((startS, index) => ({ index, startS, endS: starts[index + 1] ?? durationS }));
};
