// Shared steps of every way a job starts: its id (derived from the client's Idempotency-Key when given), the
// acceptance check (budget, backlog) and the create-job write of the decider's first state.
import { errAsync, okAsync, type ResultAsync } from "neverthrow";
import {
  firstIntakeCheckAt,
  type IntakeCheckPolicy,
  MAX_INTAKE_CHECK_INTERVAL_MS,
} from "../../../core/decide-intake-check.ts";
import { backlogFull, decideJobAcceptance } from "../../../core/decide-job-acceptance.ts";
import { applyJobCommand } from "../../../core/job-lifecycle/apply-job-command.ts";
import { initialJobState, type Job, type JobSource } from "../../../core/job-lifecycle/job-state.ts";
import type { PresetName } from "../../../core/preset-names.ts";
import type { JobRecord, UploadTerms } from "../../redis/job-record.ts";
import type { CreateOutcome } from "../../redis/job-store.ts";
import type { ControlPlaneDeps } from "../config/control-plane-deps.ts";
import type { ApiError } from "../http/api-error.ts";
import { fromStoreError } from "../http/store-failures.ts";

const encoder = new TextEncoder();
const IDEMPOTENCY_KEY = /^[A-Za-z0-9_.:-]{1,128}$/;

/** Who asks, and under which Idempotency-Key (null without one). */
export interface ClientRequest {
  readonly keyId: string;
  readonly idempotencyKey: string | null;
}

export const checkIdempotencyKey = (header: string | undefined): ResultAsync<string | null, ApiError> => {
  if (header === undefined) return okAsync(null);
  return IDEMPOTENCY_KEY.test(header)
    ? okAsync(header)
    : errAsync({ kind: "invalid-request", message: "Idempotency-Key must be 1–128 of [A-Za-z0-9_.:-]" });
};

/**
 * A replayed Idempotency-Key maps to the same job id, so a retry finds the job before doing any work again.
 * Scoped by the client's key id, so two clients' keys never collide.
 */
export const jobIdFor = async (deps: ControlPlaneDeps, client: ClientRequest): Promise<string> => {
  if (client.idempotencyKey === null) return deps.newId("job");
  const digest = await crypto.subtle.digest(
    "SHA-256",
    encoder.encode(`${client.keyId}:${client.idempotencyKey}`),
  );
  const hex = [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
  return `job_${hex.slice(0, 24)}`;
};

/** The job an earlier request with the same Idempotency-Key created, if any. */
export const findReplayedJob = (
  deps: ControlPlaneDeps,
  client: ClientRequest,
  jobId: string,
): ResultAsync<JobRecord | null, ApiError> =>
  client.idempotencyKey === null ? okAsync(null) : deps.jobs.load(jobId).mapErr(fromStoreError);

export const checkAcceptance = (deps: ControlPlaneDeps): ResultAsync<void, ApiError> =>
  deps.views
    .admissionSnapshot()
    .mapErr(fromStoreError)
    .andThen((snapshot) => {
      const decision = decideJobAcceptance(snapshot, {
        monthlyBudgetUsd: deps.config.admission.monthlyBudgetUsd,
        maxPendingJobs: deps.config.limits.maxPendingJobs,
        retryAfterMs: deps.config.admission.capacityRetryMs,
      });
      switch (decision.kind) {
        case "accept":
          return okAsync(undefined);
        case "budget-exhausted":
          return errAsync<void, ApiError>({ kind: "budget-exhausted", message: decision.message });
        case "backlog-full":
          return errAsync<void, ApiError>({
            kind: "rate-limited",
            message: decision.message,
            retryAfterMs: decision.retryAfterMs,
          });
        default: {
          const unhandled: never = decision;
          throw new Error(`unhandled acceptance ${JSON.stringify(unhandled)}`);
        }
      }
    });

export interface NewJob {
  readonly jobId: string;
  readonly preset: PresetName;
  readonly inputKey: string;
  /** "upload" waits for the storage event; "url" is already in storage and goes straight to pending. */
  readonly source: JobSource;
  readonly filename: string | null;
  readonly webhookUrl: string | null;
  /** What the client was given to upload with (source "upload"). */
  readonly upload?: UploadTerms;
}

/** The decider's state after `create` (and `enqueue` for URL ingest). */
export const firstState = (job: NewJob, at: number, deps: ControlPlaneDeps): Job => {
  const policy = deps.config.retryPolicy;
  const { jobId, preset, inputKey, source } = job;
  const created = applyJobCommand(
    { type: "create", jobId, preset, inputKey, source, at },
    initialJobState,
    policy,
  );
  const state = created.andThen(({ state: s }) =>
    s.status === "queued" ? applyJobCommand({ type: "enqueue", at }, s, policy) : created,
  );
  if (state.isErr() || state.value.state.status === "none") throw new Error(`cannot create job ${jobId}`);
  return state.value.state;
};

/** Writes the job unless the backlog is at its cap (jobs pending or waiting for their upload, counted atomically). */
export const persistNewJob = (
  deps: ControlPlaneDeps,
  job: NewJob,
  client: ClientRequest,
): ResultAsync<Exclude<CreateOutcome, { readonly kind: "backlog-full" }>, ApiError> => {
  const first = firstState(job, deps.clock(), deps);
  const { maxPendingJobs } = deps.config.limits;
  return deps.jobs
    .create({
      job: first,
      meta: {
        webhookUrl: job.webhookUrl,
        filename: job.filename,
        ...(job.upload ? { upload: job.upload } : {}),
      },
      intakeCheckAt: firstIntakeCheckAt(first.createdAt, intakeCheckPolicy(deps)),
      maxWaitingJobs: maxPendingJobs,
      ...(client.idempotencyKey === null
        ? {}
        : {
            idempotency: {
              key: `${client.keyId}:${client.idempotencyKey}`,
              ttlSeconds: deps.config.uploads.idempotencyTtlSeconds,
            },
          }),
    })
    .mapErr(fromStoreError)
    .andThen((outcome) => {
      if (outcome.kind !== "backlog-full") return okAsync(outcome);
      const { message, retryAfterMs } = backlogFull(outcome.waiting, {
        maxPendingJobs,
        retryAfterMs: deps.config.admission.capacityRetryMs,
      });
      return errAsync<never, ApiError>({ kind: "rate-limited", message, retryAfterMs });
    });
};

/** The cron's intake check policy from the settings. */
export const intakeCheckPolicy = (deps: ControlPlaneDeps): IntakeCheckPolicy => ({
  graceMs: deps.config.uploads.graceSeconds * 1000,
  firstCheckMs: deps.config.uploads.checkSeconds * 1000,
  maxCheckIntervalMs: MAX_INTAKE_CHECK_INTERVAL_MS,
});
