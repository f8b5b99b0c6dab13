// What the cron deletes once a job has been over for the retention period (pure): its input, and for a cancelled job
// whatever outputs a worker still uploaded (a cancel that won against a completion whose worker died before it
// could clean up). A job that is no longer over (a client retry) keeps everything.
import type { Job } from "./job-lifecycle/job-state.ts";
import { isTerminalStatus } from "./job-status.ts";
import { jobOutputsPrefix } from "./output-keys.ts";

export type RetentionPlan =
  | { readonly kind: "delete"; readonly inputKey: string; readonly outputsPrefix: string | null }
  | { readonly kind: "keep" };

const DAY_MS = 86_400_000;

/** Jobs that ended at or before this time have outlived the retention. */
export const retentionCutoff = (now: number, retentionDays: number): number => now - retentionDays * DAY_MS;

export const planInputRetention = (job: Job | null): RetentionPlan => {
  if (job === null || !isTerminalStatus(job.status)) return { kind: "keep" };
  return {
    kind: "delete",
    inputKey: job.inputKey,
    outputsPrefix: job.status === "cancelled" ? jobOutputsPrefix(job.jobId) : null,
  };
};
