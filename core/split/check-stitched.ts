// The stitch's own check: the joined video lasts as long as the source's within one frame, and the audio (encoded
// once for the whole file) spans the video: a missing or repeated frame at a seam, or a lost chunk, shows here.
import { err, ok, type Result } from "neverthrow";
import type { CheckedInput } from "../ffmpeg/check-input.ts";
import { frameSeconds } from "../ffmpeg/frame-timing.ts";
import type { ProbeSummary } from "../ffmpeg/probe-summary.ts";

const span = (s: { readonly startSec?: number; readonly endSec?: number } | undefined): number | null =>
  s?.endSec !== undefined ? s.endSec - (s.startSec ?? 0) : null;

export const checkStitchedDuration = (source: CheckedInput, stitched: ProbeSummary): Result<void, string> => {
  const frame = frameSeconds(source.video);
  const want = source.videoSpan.endSec - source.videoSpan.startSec;
  const got = span(stitched.video);
  if (got === null) return err("the stitched video states no duration");
  // Half a millisecond over a frame: durations are printed to the microsecond on both sides.
  if (Math.abs(got - want) > frame + 0.0005) {
    return err(
      `the stitched video lasts ${got.toFixed(3)} s, the source's ${want.toFixed(3)} s: more than a frame apart`,
    );
  }
  if (source.audio !== undefined) {
    const audio = span(stitched.audio);
    if (audio === null || audio < Math.min(want, source.durationSec) - frame - 0.05) {
      return err(
        `the stitched audio lasts ${audio?.toFixed(3) ?? "?"} s, shorter than the video's ${got.toFixed(3)} s`,
      );
    }
  }
  return ok(undefined);
};
