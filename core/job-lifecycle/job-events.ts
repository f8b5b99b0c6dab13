// What happened to a job; each event carries everything evolveJob needs, so replay needs no policy or clock.
import type { JobOutput } from "../job-output.ts";
import type { PresetName } from "../preset-names.ts";
import type { JobError, JobSource } from "./job-state.ts";

/** Status becomes `uploading` for source "upload", `queued` for source "url". */
export interface JobCreated {
  readonly type: "created";
  readonly jobId: string;
  readonly preset: PresetName;
  readonly inputKey: string;
  readonly source: JobSource;
  readonly at: number;
}

export interface UploadConfirmed {
  readonly type: "upload-confirmed";
  readonly size: number;
  readonly at: number;
}

export interface JobEnqueued {
  readonly type: "enqueued";
  readonly at: number;
}

export interface JobClaimed {
  readonly type: "claimed";
  readonly machineId: string;
  readonly leaseToken: string;
  /** The job's attempt count after this claim. */
  readonly attempts: number;
  readonly at: number;
}

export interface ProgressReported {
  readonly type: "progress-reported";
  readonly percent: number;
  readonly at: number;
}

export interface JobCompleted {
  readonly type: "completed";
  readonly outputs: readonly JobOutput[];
  readonly costUsd: number;
  readonly machineSeconds: number;
  readonly at: number;
}

/** The worker reported a failure and the retry policy allows another attempt: back to pending. */
export interface RetryScheduled {
  readonly type: "retry-scheduled";
  readonly error: JobError;
  readonly availableAt: number;
  readonly at: number;
}

/** The worker's lease expired and the retry policy allows another attempt: back to pending. */
export interface LeaseExpired {
  readonly type: "lease-expired";
  readonly error: JobError;
  readonly availableAt: number;
  readonly at: number;
}

export interface JobFailed {
  readonly type: "failed";
  readonly error: JobError;
  readonly at: number;
}

/** A client retry of a failed job: back to pending with a fresh attempt budget. */
export interface RetryRequested {
  readonly type: "retry-requested";
  /** The job's attempts at the time of the request; later attempts count against maxAttempts. */
  readonly retryBase: number;
  readonly at: number;
}

export interface JobCancelled {
  readonly type: "cancelled";
  readonly reason: string | null;
  readonly at: number;
}

export type JobEvent =
  | JobCreated
  | UploadConfirmed
  | JobEnqueued
  | JobClaimed
  | ProgressReported
  | JobCompleted
  | RetryScheduled
  | LeaseExpired
  | JobFailed
  | RetryRequested
  | JobCancelled;

export type JobEventType = JobEvent["type"];
