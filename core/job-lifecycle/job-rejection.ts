// Why the decider refused a command: a stable code (mirrored by the Redis scripts) and a human message.
import type { JobStatus } from "../job-status.ts";

export const JOB_REJECTION_CODES = [
  "not-found", // no job under this id (any command but create)
  "already-exists", // create on an existing job
  "invalid-transition", // the command makes no sense in the current status
  "stale-lease", // a lease-fenced command whose token is not the job's current lease
  "already-confirmed", // duplicate confirm-upload: the input was already accepted (idempotent success)
  "already-terminal", // the job is completed, failed or cancelled
  "progress-regressed", // a progress report below the current attempt's progress
  "not-yet-available", // claim before the retry backoff has passed
] as const;

export type JobRejectionCode = (typeof JOB_REJECTION_CODES)[number];

export interface JobRejection {
  readonly code: JobRejectionCode;
  readonly message: string;
  /** The job's status when the command was refused ("none" if it does not exist). */
  readonly status: JobStatus | "none";
}

export const jobRejection = (
  code: JobRejectionCode,
  status: JobStatus | "none",
  message: string,
): JobRejection => ({
  code,
  message,
  status,
});

/**
 * Rejections the shell answers as success because the command already took effect: a redelivered storage event
 * for an upload that was already confirmed.
 */
export const isIdempotentDuplicate = (rejection: JobRejection): boolean =>
  rejection.code === "already-confirmed";
