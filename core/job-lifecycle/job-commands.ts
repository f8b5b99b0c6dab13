// What the shell may ask of a job; `at` is the shell's clock (ms epoch), never read inside the core.
import type { JobOutput } from "../job-output.ts";
import type { PresetName } from "../preset-names.ts";
import type { JobError, JobSource } from "./job-state.ts";

export interface CreateJob {
  readonly type: "create";
  readonly jobId: string;
  readonly preset: PresetName;
  readonly inputKey: string;
  readonly source: JobSource;
  readonly at: number;
}

/** The storage event for the input; delivered at least once. */
export interface ConfirmUpload {
  readonly type: "confirm-upload";
  readonly size: number;
  readonly at: number;
}

export interface EnqueueJob {
  readonly type: "enqueue";
  readonly at: number;
}

export interface ClaimJob {
  readonly type: "claim";
  readonly machineId: string;
  readonly leaseToken: string;
  readonly at: number;
}

/** `percent` must be a finite number in 0..100 (validated at the edge; anything else throws). */
export interface ReportProgress {
  readonly type: "report-progress";
  readonly leaseToken: string;
  readonly percent: number;
  readonly at: number;
}

export interface CompleteJob {
  readonly type: "complete";
  readonly leaseToken: string;
  readonly outputs: readonly JobOutput[];
  readonly costUsd: number;
  readonly machineSeconds: number;
  readonly at: number;
}

export interface FailJob {
  readonly type: "fail";
  readonly leaseToken: string;
  readonly error: JobError;
  readonly at: number;
}

/** A client asking to run a failed job again. */
export interface RetryJob {
  readonly type: "retry";
  readonly at: number;
}

export interface CancelJob {
  readonly type: "cancel";
  readonly reason?: string;
  readonly at: number;
}

/** The cron found no upload by the upload URL's expiry plus a grace: cancelled, if the job still waits for it. */
export interface ExpireUpload {
  readonly type: "expire-upload";
  readonly reason: string;
  readonly at: number;
}

/** The lease sweep found the claiming worker's lease expired. */
export interface ExpireLease {
  readonly type: "expire-lease";
  readonly leaseToken: string;
  readonly at: number;
}

export type JobCommand =
  | CreateJob
  | ConfirmUpload
  | EnqueueJob
  | ClaimJob
  | ReportProgress
  | CompleteJob
  | FailJob
  | RetryJob
  | CancelJob
  | ExpireUpload
  | ExpireLease;

export type JobCommandType = JobCommand["type"];
