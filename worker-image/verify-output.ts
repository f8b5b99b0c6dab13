// Checks what ffmpeg wrote against the plan before anything is uploaded: a cut-short input that ffmpeg encoded
// "successfully" into a short output is a failed job, not a completed one.
import { join } from "node:path";
import { err, ok, type Result } from "neverthrow";
import type { ExpectedOutput, FfmpegPlan, PlannedOutput } from "../core/ffmpeg/ffmpeg-plan.ts";
import type { ProbeSummary } from "../core/ffmpeg/probe-summary.ts";
import type { OnRun } from "../core/job-record.ts";
import { type JobFailure, outputInvalid } from "./job-failure.ts";
import { probeMedia } from "./probe-media.ts";

/** Encoders pad or trim a frame or an audio packet; more than this is missing media. */
export const durationToleranceSec = (expectedSec: number): number => Math.max(0.5, expectedSec * 0.02);

/** The file to probe: the video, or the top rung's playlist for HLS (the master only lists the variants). */
export const mainOutput = (plan: FfmpegPlan): PlannedOutput | undefined =>
  plan.outputs.find((o) => o.type === "video") ?? plan.outputs.find((o) => o.type === "hls-playlist");

/** Pure: the probe of the main output against what the plan expected. */
export const checkOutput = (expected: ExpectedOutput, probe: ProbeSummary): Result<void, string> => {
  const video = probe.video;
  if (video === undefined) return err("the output has no video stream");
  if (video.codec !== expected.videoCodec) {
    return err(`the output's video is ${video.codec}, expected ${expected.videoCodec}`);
  }
  const audio = probe.audio?.codec ?? null;
  if (audio !== expected.audioCodec) {
    return err(`the output's audio is ${audio ?? "absent"}, expected ${expected.audioCodec ?? "none"}`);
  }
  if (video.width !== expected.width || video.height !== expected.height) {
    const got = `${video.width ?? "?"}x${video.height ?? "?"}`;
    return err(`the output is ${got}, expected ${expected.width}x${expected.height}`);
  }
  const short = expected.durationSec - probe.durationSec;
  if (short > durationToleranceSec(expected.durationSec)) {
    return err(
      `the output lasts ${probe.durationSec.toFixed(2)} s but the input states ${expected.durationSec.toFixed(2)} s: ` +
        "the input is probably truncated or damaged",
    );
  }
  return ok(undefined);
};

export const verifyOutput = async (
  ffprobePath: string,
  plan: FfmpegPlan,
  outDir: string,
  signal?: AbortSignal,
  onRun?: OnRun,
): Promise<Result<void, JobFailure>> => {
  const main = mainOutput(plan);
  if (main === undefined) throw new Error("a plan without a video or HLS playlist output");
  const probed = await probeMedia(ffprobePath, join(outDir, main.path), signal, "normal", onRun, "verify");
  if (probed.isErr()) return err(outputInvalid(`the output cannot be read back: ${probed.error.message}`));
  return checkOutput(plan.expected, probed.value).mapErr(outputInvalid);
};
