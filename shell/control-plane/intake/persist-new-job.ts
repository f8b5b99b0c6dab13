// Shared steps of every way a job starts: its id (derived from the client's Idempotency-Key when given), what a
// replayed key gets, the acceptance checks (budget, backlog; the API key's own limits) and the create-job write of
// the decider's first state, owned by the API key that asked.
import { errAsync, okAsync, type ResultAsync } from "neverthrow";
import { idleCapacity } from "../../../core/decide-admission.ts";
import { decideIdempotentReplay } from "../../../core/decide-idempotent-replay.ts";
import {
  firstIntakeCheckAt,
  type IntakeCheckPolicy,
  MAX_INTAKE_CHECK_INTERVAL_MS,
} from "../../../core/decide-intake-check.ts";
import {
  backlogFull,
  decideJobAcceptance,
  decideKeyAcceptance,
  hasKeyLimits,
  type KeyAcceptance,
  type KeyLimits,
  keyLimitsFor,
  keyPendingCapRefusal,
} from "../../../core/decide-job-acceptance.ts";
import { applyJobCommand } from "../../../core/job-lifecycle/apply-job-command.ts";
import { initialJobState, type Job, type JobSource } from "../../../core/job-lifecycle/job-state.ts";
import type { PresetName } from "../../../core/preset-names.ts";
import { admissionView } from "../../redis/admission-snapshot.ts";
import type { JobRecord, UploadTerms } from "../../redis/job-record.ts";
import { sha256Hex } from "../../signing/sha256-hex.ts";
import type { ControlPlaneDeps } from "../config/control-plane-deps.ts";
import type { ApiError } from "../http/api-error.ts";
import { fromStoreError } from "../http/store-failures.ts";

const IDEMPOTENCY_KEY = /^[A-Za-z0-9_.:-]{1,128}$/;

/** Who asks, and under which Idempotency-Key (null without one). */
export interface ClientRequest {
  readonly keyId: string;
  readonly idempotencyKey: string | null;
}

/** What is asked, as a replay compares it: the request's fingerprint, and whether its answer signs uploads. */
export interface CreateAsk {
  readonly fingerprint: string;
  readonly signsUpload: boolean;
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
  const hex = await sha256Hex(`${client.keyId}:${client.idempotencyKey}`);
  return `job_${hex.slice(0, 24)}`;
};

/** An earlier job answers a replay only if it was the same request (and never signs its upload again once in). */
const replayOf = (record: JobRecord, ask: CreateAsk): ResultAsync<JobRecord, ApiError> => {
  const decision = decideIdempotentReplay({
    jobId: record.job.jobId,
    status: record.job.status,
    storedFingerprint: record.meta.requestHash,
    fingerprint: ask.fingerprint,
    signsUpload: ask.signsUpload,
  });
  switch (decision.kind) {
    case "replay":
      return okAsync(record);
    case "key-reused":
      return errAsync({ kind: "idempotency-key-reused", message: decision.message });
    case "upload-received":
      return errAsync({ kind: "upload-received", message: decision.message });
    default: {
      const unhandled: never = decision;
      throw new Error(`unhandled replay ${JSON.stringify(unhandled)}`);
    }
  }
};

const loadReplay = (
  deps: ControlPlaneDeps,
  jobId: string,
  ask: CreateAsk,
): ResultAsync<JobRecord | null, ApiError> =>
  deps.jobs
    .load(jobId)
    .mapErr(fromStoreError)
    .andThen((record) => (record === null ? okAsync(null) : replayOf(record, ask)));

/** The job an earlier request with the same Idempotency-Key created, if any, as this request may have it. */
export const findReplayedJob = (
  deps: ControlPlaneDeps,
  client: ClientRequest,
  jobId: string,
  ask: CreateAsk,
): ResultAsync<JobRecord | null, ApiError> =>
  client.idempotencyKey === null ? okAsync(null) : loadReplay(deps, jobId, ask);

export const checkAcceptance = (deps: ControlPlaneDeps): ResultAsync<void, ApiError> =>
  deps.views
    .admissionSnapshot()
    .mapErr(fromStoreError)
    .andThen((snapshot) => {
      // Admission's own view of the snapshot (lapsed machines counted as spent): accepted only if it could start a
      // machine for this job and for every job already waiting for one.
      const { input } = admissionView(snapshot, deps.config.admission);
      const decision = decideJobAcceptance(
        {
          spentUsd: input.spentThisMonthUsd,
          machines: input.liveMachines + input.reservedMachines,
          freeMachines: idleCapacity(input),
          committedBeyondTtlUsd: input.committedBeyondTtlUsd,
          pendingJobs: snapshot.pendingJobs,
        },
        {
          monthlyBudgetUsd: deps.config.admission.monthlyBudgetUsd,
          machineMaxCostUsd: deps.config.admission.machineMaxCostUsd,
          maxPendingJobs: deps.config.limits.maxPendingJobs,
          retryAfterMs: deps.config.admission.capacityRetryMs,
        },
      );
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

const keyRefusal = (decision: Exclude<KeyAcceptance, { kind: "accept" }>): ApiError => ({
  kind: "key-limit",
  code: decision.kind,
  message: decision.message,
  retryAfterMs: decision.retryAfterMs,
});

/** The API key's own limits (after the global check): its limits, for the create's atomic re-check of the cap. */
export const checkKeyAcceptance = (
  deps: ControlPlaneDeps,
  keyId: string,
): ResultAsync<KeyLimits, ApiError> => {
  const limits = keyLimitsFor(keyId, deps.config.keyLimits);
  if (!hasKeyLimits(limits)) return okAsync(limits);
  return deps.owners
    .usage(keyId)
    .mapErr(fromStoreError)
    .andThen((usage) => {
      const decision = decideKeyAcceptance(usage, limits, deps.config.admission.capacityRetryMs);
      return decision.kind === "accept" ? okAsync(limits) : errAsync(keyRefusal(decision));
    });
};

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

/** Created, or the job a concurrent request under the same Idempotency-Key created first (as a replay gets it). */
export type Persisted = { readonly created: true } | { readonly created: false; readonly record: JobRecord };

/**
 * Writes the job unless the backlog is at its cap (jobs pending or waiting for their upload) or the key is at its
 * own cap of unfinished jobs, both counted atomically with the write.
 */
export const persistNewJob = (
  deps: ControlPlaneDeps,
  job: NewJob,
  client: ClientRequest,
  ask: CreateAsk,
  limits: KeyLimits,
): ResultAsync<Persisted, ApiError> => {
  const first = firstState(job, deps.clock(), deps);
  const { maxPendingJobs } = deps.config.limits;
  const retryAfterMs = deps.config.admission.capacityRetryMs;
  return deps.jobs
    .create({
      job: first,
      meta: {
        webhookUrl: job.webhookUrl,
        filename: job.filename,
        owner: client.keyId,
        requestHash: ask.fingerprint,
        ...(job.upload ? { upload: job.upload } : {}),
      },
      intakeCheckAt: firstIntakeCheckAt(first.createdAt, intakeCheckPolicy(deps)),
      maxWaitingJobs: maxPendingJobs,
      ...(limits.maxPendingJobs === null ? {} : { maxOpenJobs: limits.maxPendingJobs }),
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
    .andThen((outcome): ResultAsync<Persisted, ApiError> => {
      switch (outcome.kind) {
        case "created":
          return okAsync({ created: true });
        case "backlog-full": {
          const { message } = backlogFull(outcome.waiting, { maxPendingJobs, retryAfterMs });
          return errAsync({ kind: "rate-limited", message, retryAfterMs });
        }
        case "owner-at-cap": {
          const cap = limits.maxPendingJobs ?? 0;
          return errAsync(keyRefusal(keyPendingCapRefusal(outcome.openJobs, cap, retryAfterMs)));
        }
        case "replayed":
          return loadReplay(deps, outcome.jobId, ask).andThen((record) =>
            record === null
              ? errAsync<Persisted, ApiError>({ kind: "internal", message: "replayed job vanished" })
              : okAsync({ created: false as const, record }),
          );
        default: {
          const unhandled: never = outcome;
          throw new Error(`unhandled create outcome ${JSON.stringify(unhandled)}`);
        }
      }
    });
};

/** The cron's intake check policy from the settings. */
export const intakeCheckPolicy = (deps: ControlPlaneDeps): IntakeCheckPolicy => ({
  graceMs: deps.config.uploads.graceSeconds * 1000,
  firstCheckMs: deps.config.uploads.checkSeconds * 1000,
  maxCheckIntervalMs: MAX_INTAKE_CHECK_INTERVAL_MS,
});
