// What the worker learns about a downloaded input before it plans: its size (an empty upload stops here), its
// probe (deeper if need be), and, only when the probe states no usable duration, its packets' spans.
import { stat } from "node:fs/promises";
import { err, ok, type Result } from "neverthrow";
import type { PlanLimits } from "../core/ffmpeg/check-input.ts";
import { checkInputBytes } from "../core/ffmpeg/check-input-bytes.ts";
import type { UndecodableAudio } from "../core/ffmpeg/choose-audio-track.ts";
import { needsPacketMeasuring } from "../core/ffmpeg/plan-ffmpeg.ts";
import type { MeasuredSpans } from "../core/ffmpeg/stream-spans.ts";
import type { OnRun } from "../core/job-record.ts";
import { inputUnavailable, type JobFailure, planRejected } from "./job-failure.ts";
import { measureMedia } from "./measure-media.ts";
import { type ProbedInput, probeInput } from "./probe-media.ts";

export interface ReadInput extends ProbedInput {
  readonly sizeBytes: number;
}

export const readInput = async (
  ffprobePath: string,
  path: string,
  limits: PlanLimits,
  signal?: AbortSignal,
  onRun?: OnRun,
  /** The size, when the input is read over HTTP (its object's size); a local file is measured here. */
  knownBytes?: number,
): Promise<Result<ReadInput, JobFailure>> => {
  const sizeBytes = knownBytes ?? (await stat(path).catch(() => null))?.size;
  if (sizeBytes === undefined) return err(inputUnavailable(`${path} is gone`, true));
  const sized = checkInputBytes(sizeBytes, limits);
  if (sized.isErr()) return err(planRejected(sized.error));
  return (await probeInput(ffprobePath, path, signal, onRun)).map((probed) => ({
    ...probed,
    sizeBytes,
  }));
};

/** The packets' spans when planning needs them (none measured yet, and the probe states no usable span). */
export const measureIfNeeded = async (
  ffprobePath: string,
  path: string,
  input: ReadInput,
  facts: {
    readonly limits: PlanLimits;
    readonly undecodableAudio: UndecodableAudio;
    readonly measured?: MeasuredSpans;
  },
  signal?: AbortSignal,
  onRun?: OnRun,
): Promise<Result<MeasuredSpans | undefined, JobFailure>> => {
  if (facts.measured !== undefined) return ok(facts.measured);
  if (!needsPacketMeasuring(input.probe, facts.limits, facts)) return ok(undefined);
  return measureMedia(
    ffprobePath,
    path,
    { depth: input.depth, sizeBytes: input.sizeBytes, maxRunMs: facts.limits.maxRunMs },
    signal,
    onRun,
  );
};
