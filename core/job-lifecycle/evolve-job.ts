// The job lifecycle's evolve: applies one event to the state. Events come only from decideJob, so an event that
// cannot apply is a bug and throws.
import type { JobCreated, JobEvent } from "./job-events.ts";
import type { Job, JobState } from "./job-state.ts";

export const evolveJob = (state: JobState, event: JobEvent): JobState => {
  if (event.type === "created") {
    if (state.status !== "none") throw new Error(`cannot apply created: job ${state.jobId} already exists`);
    return newJob(event);
  }
  if (state.status === "none") throw new Error(`cannot apply ${event.type}: the job does not exist`);
  const job: Job = { ...state, updatedAt: event.at, version: state.version + 1 };
  switch (event.type) {
    case "upload-confirmed":
      return { ...job, status: "queued", inputSize: event.size, queuedAt: event.at };
    case "enqueued":
      return { ...job, status: "pending", availableAt: event.at };
    case "claimed":
      return {
        ...job,
        status: "running",
        attempts: event.attempts,
        leaseToken: event.leaseToken,
        machineId: event.machineId,
        availableAt: null,
        startedAt: event.at,
      };
    case "progress-reported":
      return { ...job, progress: event.percent };
    case "completed":
      return {
        ...releaseLease(job),
        status: "completed",
        progress: 100,
        outputs: event.outputs,
        costUsd: event.costUsd,
        machineSeconds: event.machineSeconds,
        error: null,
        finishedAt: event.at,
      };
    case "retry-scheduled":
    case "lease-expired":
      return {
        ...releaseLease(job),
        status: "pending",
        progress: 0,
        error: event.error,
        availableAt: event.availableAt,
      };
    case "failed":
      return { ...releaseLease(job), status: "failed", error: event.error, finishedAt: event.at };
    case "retry-requested":
      return {
        ...job,
        status: "pending",
        retryBase: event.retryBase,
        availableAt: event.at,
        progress: 0,
        error: null,
        finishedAt: null,
      };
    case "cancelled":
      return {
        ...releaseLease(job),
        status: "cancelled",
        availableAt: null,
        cancelReason: event.reason,
        finishedAt: event.at,
      };
    default: {
      const unhandled: never = event;
      throw new Error(`unhandled job event ${JSON.stringify(unhandled)}`);
    }
  }
};

const newJob = (event: JobCreated): Job => ({
  status: event.source === "upload" ? "uploading" : "queued",
  jobId: event.jobId,
  source: event.source,
  preset: event.preset,
  inputKey: event.inputKey,
  inputSize: null,
  attempts: 0,
  retryBase: 0,
  availableAt: null,
  leaseToken: null,
  machineId: null,
  progress: 0,
  error: null,
  outputs: [],
  costUsd: null,
  machineSeconds: null,
  cancelReason: null,
  createdAt: event.at,
  queuedAt: event.source === "url" ? event.at : null,
  startedAt: null,
  finishedAt: null,
  updatedAt: event.at,
  version: 1,
});

const releaseLease = (job: Job): Job => ({ ...job, leaseToken: null, machineId: null });
