// What to do with an object found at a job's input key, from a storage event or the cron's look in storage (pure):
// accept it, enqueue an input accepted before, refuse it (over the size limit, or not the size the client declared:
// deleted and the job cancelled), discard it (its job was cancelled before it arrived), or leave it be.
import type { Job } from "./job-lifecycle/job-state.ts";

export interface StoredUpload {
  readonly key: string;
  readonly size: number;
}

export interface UploadIntakeInput {
  readonly job: Job;
  /** Bytes the client declared when it asked for its upload URL; null when the job has no declared size. */
  readonly declaredSize: number | null;
  readonly stored: StoredUpload;
  readonly maxBytes: number;
}

export type UploadIntakeDecision =
  /** Confirm the upload with this size, then enqueue. */
  | { readonly kind: "accept"; readonly size: number }
  /** Confirmed before but never enqueued (a failure between the two steps): enqueue. */
  | { readonly kind: "enqueue" }
  /** Delete the object and cancel the job with this reason. */
  | { readonly kind: "refuse"; readonly reason: string }
  /** Delete the object; the job stays as it is. */
  | { readonly kind: "discard"; readonly reason: string }
  | { readonly kind: "ignore"; readonly reason: "not-the-input" | "already-accepted" | "job-finished" };

export const decideUploadIntake = ({
  job,
  declaredSize,
  stored,
  maxBytes,
}: UploadIntakeInput): UploadIntakeDecision => {
  // Only the key the job was given counts: anything else under its prefix is not its input.
  if (stored.key !== job.inputKey) return { kind: "ignore", reason: "not-the-input" };
  switch (job.status) {
    case "uploading":
      if (stored.size > maxBytes) {
        return { kind: "refuse", reason: `the upload is ${stored.size} bytes; the limit is ${maxBytes}` };
      }
      if (declaredSize !== null && stored.size !== declaredSize) {
        return {
          kind: "refuse",
          reason: `the upload is ${stored.size} bytes, not the ${declaredSize} its client declared`,
        };
      }
      return { kind: "accept", size: stored.size };
    case "queued":
      return { kind: "enqueue" };
    case "pending":
    case "running":
      return { kind: "ignore", reason: "already-accepted" };
    case "cancelled":
      // queuedAt is null exactly when the job was cancelled before any input was accepted: this one is unwanted.
      return job.queuedAt === null
        ? { kind: "discard", reason: "the job was cancelled before its upload arrived" }
        : { kind: "ignore", reason: "job-finished" };
    case "completed":
    case "failed":
      return { kind: "ignore", reason: "job-finished" };
    default: {
      const unhandled: never = job.status;
      throw new Error(`unhandled job status ${JSON.stringify(unhandled)}`);
    }
  }
};
