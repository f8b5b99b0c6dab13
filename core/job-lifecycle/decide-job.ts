// The job lifecycle's decide: a command and the current state give events, or a rejection with a stable code.
import { err, ok, type Result } from "neverthrow";
import { decideJobRetry, type JobRetryPolicy } from "../decide-job-retry.ts";
import { isTerminalStatus } from "../job-status.ts";
import { decideLeaseExpiry } from "./decide-lease-expiry.ts";
import type {
  ClaimJob,
  CompleteJob,
  ConfirmUpload,
  CreateJob,
  ExpireLease,
  FailJob,
  JobCommand,
  ReportProgress,
} from "./job-commands.ts";
import type { JobEvent } from "./job-events.ts";
import { type JobRejection, jobRejection } from "./job-rejection.ts";
import type { Job, JobState } from "./job-state.ts";

export type JobDecision = Result<readonly JobEvent[], JobRejection>;

/**
 * Decides a command against a job's state. `policy` governs `fail` and `expire-lease`; it is an argument so the
 * shell (and the Redis scripts, as ARGV) always say which policy applied.
 */
export const decideJob = (command: JobCommand, state: JobState, policy: JobRetryPolicy): JobDecision => {
  if (command.type === "create") return decideCreate(command, state);
  if (state.status === "none") {
    return err(jobRejection("not-found", "none", `cannot ${command.type}: the job does not exist`));
  }
  const job = state;
  switch (command.type) {
    case "confirm-upload":
      return decideConfirmUpload(command, job);
    case "enqueue":
      return job.status === "queued"
        ? ok([{ type: "enqueued", at: command.at }])
        : rejectTransition(job, command.type);
    case "claim":
      return decideClaim(command, job);
    case "report-progress":
      return fenced(job, command, () => decideProgress(command, job));
    case "complete": {
      const { outputs, costUsd, machineSeconds, at } = command;
      return fenced(job, command, () => ok([{ type: "completed", outputs, costUsd, machineSeconds, at }]));
    }
    case "fail":
      return fenced(job, command, () => decideFail(command, job, policy));
    case "retry":
      return job.status === "failed"
        ? ok([{ type: "retry-requested", retryBase: job.attempts, at: command.at }])
        : rejectTransition(job, command.type);
    case "cancel":
      return isTerminalStatus(job.status)
        ? reject(job, "already-terminal", `the job is already ${job.status}`)
        : ok([{ type: "cancelled", reason: command.reason ?? null, at: command.at }]);
    // Only while the upload is still awaited: an upload confirmed meanwhile (a late event) wins.
    case "expire-upload":
      return job.status === "uploading"
        ? ok([{ type: "cancelled", reason: command.reason, at: command.at }])
        : rejectTransition(job, command.type);
    case "expire-lease":
      return fenced(job, command, () => decideExpireLease(command, job, policy));
    default: {
      const unhandled: never = command;
      throw new Error(`unhandled job command ${JSON.stringify(unhandled)}`);
    }
  }
};

const decideCreate = (command: CreateJob, state: JobState): JobDecision => {
  if (state.status !== "none") return reject(state, "already-exists", `job ${state.jobId} already exists`);
  const { jobId, preset, inputKey, source, at } = command;
  return ok([{ type: "created", jobId, preset, inputKey, source, at }]);
};

// At-least-once storage events: a redelivery after the input was accepted is a duplicate, not an error.
// queuedAt is set exactly when the input was accepted; the only job without it is one cancelled while uploading.
const decideConfirmUpload = (command: ConfirmUpload, job: Job): JobDecision => {
  const { size, at } = command;
  if (job.status === "uploading") return ok([{ type: "upload-confirmed", size, at }]);
  if (job.queuedAt !== null) return reject(job, "already-confirmed", "the upload was already confirmed");
  return reject(job, "already-terminal", `the job is already ${job.status}`);
};

const decideClaim = (command: ClaimJob, job: Job): JobDecision => {
  if (job.status !== "pending") return rejectTransition(job, command.type);
  if (job.availableAt !== null && command.at < job.availableAt) {
    return reject(job, "not-yet-available", `claimable from ${job.availableAt}, not ${command.at}`);
  }
  const { machineId, leaseToken, at } = command;
  return ok([{ type: "claimed", machineId, leaseToken, attempts: job.attempts + 1, at }]);
};

// Progress never goes backwards within an attempt: a late, reordered report is rejected (the worker ignores it),
// an equal one is accepted and only refreshes updatedAt.
const decideProgress = (command: ReportProgress, job: Job): JobDecision => {
  if (!Number.isFinite(command.percent) || command.percent < 0 || command.percent > 100) {
    throw new RangeError(`percent must be within 0..100, got ${command.percent}`);
  }
  if (command.percent < job.progress) {
    return reject(job, "progress-regressed", `progress ${command.percent} is below ${job.progress}`);
  }
  return ok([{ type: "progress-reported", percent: command.percent, at: command.at }]);
};

const decideFail = (command: FailJob, job: Job, policy: JobRetryPolicy): JobDecision => {
  const { error, at } = command;
  const decision = decideJobRetry({ attempts: job.attempts - job.retryBase, error }, policy);
  switch (decision.kind) {
    case "retry":
      return ok([{ type: "retry-scheduled", error, availableAt: at + decision.delayMs, at }]);
    case "give-up":
      return ok([{ type: "failed", error, at }]);
    default: {
      const unhandled: never = decision;
      throw new Error(`unhandled retry decision ${JSON.stringify(unhandled)}`);
    }
  }
};

const decideExpireLease = (command: ExpireLease, job: Job, policy: JobRetryPolicy): JobDecision => {
  const { attempts, retryBase, machineId } = job;
  const { at } = command;
  if (machineId === null) throw new Error(`running job ${job.jobId} has no machineId`);
  const decision = decideLeaseExpiry({ attempts, retryBase, machineId, at }, policy);
  switch (decision.kind) {
    case "requeue":
      return ok([{ type: "lease-expired", error: decision.error, availableAt: decision.availableAt, at }]);
    case "fail":
      return ok([{ type: "failed", error: decision.error, at }]);
    default: {
      const unhandled: never = decision;
      throw new Error(`unhandled lease expiry decision ${JSON.stringify(unhandled)}`);
    }
  }
};

/**
 * Lease fencing for commands from the claiming worker (and the sweep), checked in this order:
 * terminal → already-terminal; running with this token → decide; claimed before (attempts > 0) → stale-lease,
 * because the caller holds a lease that was lost or superseded; otherwise → invalid-transition.
 */
const fenced = (job: Job, command: FencedCommand, decide: () => JobDecision): JobDecision => {
  if (isTerminalStatus(job.status)) {
    return reject(job, "already-terminal", `the job is already ${job.status}`);
  }
  if (job.status === "running" && job.leaseToken === command.leaseToken) return decide();
  if (job.attempts > 0) return reject(job, "stale-lease", `${command.type}: the lease is no longer current`);
  return rejectTransition(job, command.type);
};

type FencedCommand = ReportProgress | CompleteJob | FailJob | ExpireLease;

const rejectTransition = (job: Job, type: JobCommand["type"]): JobDecision =>
  isTerminalStatus(job.status)
    ? reject(job, "already-terminal", `cannot ${type}: the job is already ${job.status}`)
    : reject(job, "invalid-transition", `cannot ${type} a job that is ${job.status}`);

const reject = (job: Job, code: JobRejection["code"], message: string): JobDecision =>
  err(jobRejection(code, job.status, message));
