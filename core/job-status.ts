// The states a transcode job moves through, shared by the lifecycle decider, the Redis scripts and the API.
import * as v from "valibot";

export const JOB_STATUSES = [
  "uploading", // job created, waiting for the client's upload to land in storage
  "queued", // input present in storage; accepted, not yet in the work queue
  "pending", // in the work queue, waiting for a worker to claim it
  "running", // claimed by a worker under a lease
  "completed",
  "failed",
  "cancelled",
] as const;

export type JobStatus = (typeof JOB_STATUSES)[number];

export const JobStatusSchema = v.picklist(JOB_STATUSES);

const TERMINAL: ReadonlySet<JobStatus> = new Set(["completed", "failed", "cancelled"]);

export const isTerminalStatus = (status: JobStatus): boolean => TERMINAL.has(status);
