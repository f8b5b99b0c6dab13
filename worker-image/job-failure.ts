// The ways one job attempt can fail, each with a stable code, a readable message and whether a retry could help.
import { FFMPEG_TIMEOUT_CODE } from "../core/decide-job-retry.ts";
import type { PlanRejection } from "../core/ffmpeg/check-input.ts";
import type { FfmpegCommand } from "../core/ffmpeg/ffmpeg-plan.ts";
import { describeTimeLimit } from "../core/ffmpeg/ffmpeg-time-limit.ts";
import type { ProbeRejection } from "../core/ffmpeg/probe-summary.ts";
import type { JobError } from "../core/job-lifecycle/job-state.ts";

export type JobFailure = JobError;

const failure = (code: string, message: string, retryable: boolean): JobFailure => ({
  code,
  message: message.length > 2000 ? `${message.slice(0, 1997)}...` : message,
  retryable,
});

/** The input could not be fetched. Missing or forbidden stays so; a store or network outage may pass. */
export const inputUnavailable = (message: string, retryable: boolean): JobFailure =>
  failure("input-unavailable", `cannot read the input: ${message}`, retryable);

/** ffprobe could not read the input, or found nothing a preset can use: the media itself is the problem. */
export const probeRejected = (rejection: ProbeRejection): JobFailure =>
  failure(rejection.code, rejection.message, false);

export const planRejected = (rejection: PlanRejection): JobFailure =>
  failure(rejection.code, rejection.message, false);

export const probeFailed = (message: string, retryable: boolean): JobFailure =>
  failure("unreadable-media", `ffprobe could not read the input: ${message}`, retryable);

/** ffmpeg exited non-zero on its own: as good as certain to fail the same way again. */
export const ffmpegFailed = (purpose: string, exit: string, stderrTail: string): JobFailure =>
  failure("ffmpeg-failed", `ffmpeg (${purpose}) ${exit}${stderrTail ? `: ${stderrTail}` : ""}`, false);

/**
 * Killed at its time limit, which comes from the work: the same input on the same machine size would run out of
 * time again, so it is not retried (core/decide-job-retry.ts gives up on this code too).
 */
export const ffmpegTimedOut = (command: FfmpegCommand): JobFailure =>
  failure(
    FFMPEG_TIMEOUT_CODE,
    `ffmpeg (${command.purpose}) ${describeTimeLimit(command)} and was stopped`,
    false,
  );

/** The job's estimated machine cost does not fit what the month's budget has left (core/decide-job-cost.ts). */
export const overBudget = (message: string, retryable: boolean): JobFailure =>
  failure("over-budget", message, retryable);

/** ffmpeg finished, but what it wrote is not what the plan expected (e.g. short output from a cut input). */
export const outputInvalid = (message: string): JobFailure => failure("output-invalid", message, false);

/** Single-job mode: what the job produced is not what OUTPUT_URL was presigned for. */
export const outputMismatch = (message: string): JobFailure => failure("output-mismatch", message, false);

export const uploadFailed = (message: string): JobFailure =>
  failure("upload-failed", `cannot store the outputs: ${message}`, true);

/** The worker was told to stop (SIGTERM/SIGINT) and handed the job back. */
export const workerStopped = (signal: string): JobFailure =>
  failure("worker-stopped", `the worker was stopped (${signal}) and handed the job back`, true);

/** The machine's lease lapsed: another worker may already hold the job. */
export const leaseLost = (machineId: string): JobFailure =>
  failure("lease-lost", `worker ${machineId} lost its machine lease`, true);

/** Anything unforeseen in the worker itself (a full disk, a failed mkdir). */
export const workerFault = (message: string): JobFailure => failure("worker-fault", message, true);
