// What the cron deletes once a job has been over for the retention period (pure): its input; for a cancelled job
// whatever outputs a worker still uploaded (a cancel that won against a completion whose worker died before it
// could clean up); for a failed one its preset's partial outputs (a split HLS job's chunks store their segments
// as they go); and any split work files a stitch did not get to delete. A job that is no longer over (a client
// retry) keeps everything.
import type { Job } from "./job-lifecycle/job-state.ts";
import { isTerminalStatus } from "./job-status.ts";
import { jobOutputsPrefix, outputPrefix } from "./output-keys.ts";
import { splitWorkRoot } from "./split/split-tasks.ts";

export type RetentionPlan =
  | { readonly kind: "delete"; readonly inputKey: string; readonly outputPrefixes: readonly string[] }
  | { readonly kind: "keep" };

const DAY_MS = 86_400_000;

/** Jobs that ended at or before this time have outlived the retention. */
export const retentionCutoff = (now: number, retentionDays: number): number => now - retentionDays * DAY_MS;

export const planInputRetention = (job: Job | null): RetentionPlan => {
  if (job === null || !isTerminalStatus(job.status)) return { kind: "keep" };
  const outputPrefixes =
    job.status === "cancelled"
      ? [jobOutputsPrefix(job.jobId)]
      : job.status === "failed"
        ? [outputPrefix(job.jobId, job.preset), splitWorkRoot(job.jobId)]
        : [splitWorkRoot(job.jobId)];
  return { kind: "delete", inputKey: job.inputKey, outputPrefixes };
};
