// The job store over Redis scripts: create, load, claim, and every other transition as decide-then-compare-and-set.
import { errAsync, okAsync, type ResultAsync } from "neverthrow";
import * as v from "valibot";
import type { JobRetryPolicy } from "../../core/decide-job-retry.ts";
import { applyJobCommand } from "../../core/job-lifecycle/apply-job-command.ts";
import type { JobCommand } from "../../core/job-lifecycle/job-commands.ts";
import { awaitsInput, jobIndexChanges } from "../../core/job-lifecycle/job-index-changes.ts";
import type { JobRejection } from "../../core/job-lifecycle/job-rejection.ts";
import type { Job, JobState } from "../../core/job-lifecycle/job-state.ts";
import { LUA_SCRIPTS } from "./generated/lua-scripts.ts";
import {
  type CorruptRecord,
  decodeJobRecord,
  encodeJob,
  encodeJobChanges,
  encodeMeta,
  type JobMeta,
  type JobRecord,
} from "./job-record.ts";
import type { RedisKeys } from "./key-schema.ts";
import { parseScriptReply, type UnexpectedReply } from "./parse-script-reply.ts";
import type { RedisFailure, ScriptRunner } from "./script-runner.ts";

export type JobStoreError =
  | RedisFailure
  | CorruptRecord
  /** Other writers kept changing the job while this one tried to commit. */
  | { readonly kind: "conflict"; readonly message: string }
  /** A script answered in a shape its wrapper does not know: a deployment mismatch or a bug. */
  | UnexpectedReply;

export type TransitionError = JobStoreError | { readonly kind: "rejected"; readonly rejection: JobRejection };

export interface CreateJobInput {
  /** The decider's state after `created` (and `enqueued`, for URL ingest). */
  readonly job: Job;
  /** With `owner`, the job is indexed under that API key (its jobs, its unfinished jobs). */
  readonly meta: JobMeta;
  readonly idempotency?: { readonly key: string; readonly ttlSeconds: number };
  /** For a job waiting for its input: when the cron first looks for it (ms; default: at once). */
  readonly intakeCheckAt?: number;
  /** Refuse the job when this many are already pending or waiting for their input. */
  readonly maxWaitingJobs?: number;
  /** The most unfinished jobs `meta.owner` may have, checked atomically with the write; absent: no cap. */
  readonly maxOpenJobs?: number;
}

export type CreateOutcome =
  | { readonly kind: "created"; readonly jobId: string }
  /** The idempotency key was used before; `jobId` is the job that request created. */
  | { readonly kind: "replayed"; readonly jobId: string }
  /** `waiting` jobs (pending, or waiting for their input) are already at maxWaitingJobs: nothing was written. */
  | { readonly kind: "backlog-full"; readonly waiting: number }
  /** The owner already has `maxOpenJobs` unfinished jobs: nothing was written. */
  | { readonly kind: "owner-at-cap"; readonly openJobs: number };

export type ClaimOutcome =
  | { readonly kind: "claimed"; readonly job: Job; readonly meta: JobMeta; readonly now: number }
  /** Nothing claimable; `waitMs` until a backed-off job becomes claimable, null when the queue is empty. */
  | { readonly kind: "empty"; readonly waitMs: number | null }
  /** The machine holds no live lease and must stop claiming. */
  | { readonly kind: "no-lease" };

export type CommandFor = JobCommand | ((state: Job) => JobCommand);

export interface JobStore {
  create(input: CreateJobInput): ResultAsync<CreateOutcome, JobStoreError>;
  load(jobId: string): ResultAsync<JobRecord | null, JobStoreError>;
  claim(machineId: string, leaseToken: string): ResultAsync<ClaimOutcome, JobStoreError>;
  /** Load, decide, commit; on a concurrent write, load and decide again. */
  transition(jobId: string, command: CommandFor, policy: JobRetryPolicy): ResultAsync<Job, TransitionError>;
  /** As `transition`, but first tries against a state the caller already holds (a worker's claimed job). */
  transitionFrom(known: Job, command: CommandFor, policy: JobRetryPolicy): ResultAsync<Job, TransitionError>;
  /**
   * A worker finishes its job (`command` decided on the state it holds, committed fenced) and claims its next one
   * in the same round trip. On a concurrent write it falls back to transitionFrom, then claim.
   */
  finishAndClaim(
    known: Job,
    command: CommandFor,
    policy: JobRetryPolicy,
    next: { readonly machineId: string; readonly leaseToken: string },
  ): ResultAsync<{ readonly job: Job; readonly next: ClaimOutcome }, TransitionError>;
}

const MAX_COMMIT_TRIES = 5;

const CommitReply = v.union([
  v.tuple([v.literal(1)]),
  v.tuple([v.literal(-1), v.number()]),
  v.tuple([v.literal(-3)]),
]);

const Reply = {
  create: v.union([
    v.tuple([v.picklist([1, 2, -2]), v.string()]),
    v.tuple([v.literal(-4), v.pipe(v.number(), v.integer())]),
    v.tuple([v.literal(-5), v.pipe(v.number(), v.integer())]),
  ]),
  commit: CommitReply,
  commitAndClaim: v.tuple([CommitReply, v.array(v.unknown())]),
  claimHead: v.union([
    v.tuple([v.literal(0), v.number()]),
    v.tuple([v.literal(-4)]),
    v.looseTuple([v.literal(1), v.number()]),
  ]),
};

const commitOutcome = (
  reply: v.InferOutput<typeof CommitReply>,
  jobId: string,
): ResultAsync<"committed" | "conflict", TransitionError> => {
  if (reply[0] === 1) return okAsync("committed");
  if (reply[0] === -1) return okAsync("conflict");
  return errAsync(notFound(jobId));
};

/** commit-job's ARGV[1..12]: job id, expected version, and the index writes the transition implies. */
const commitArgs = (before: JobState, after: Job, keyPrefix: string): (string | number)[] => {
  const { pending, active, finished, reopened, chargeUsd, intake, ended } = jobIndexChanges(before, after);
  return [
    after.jobId,
    before.status === "none" ? 0 : before.version,
    pending.op,
    pending.op === "add" ? pending.score : "",
    active.op,
    active.op === "set" ? `${active.machineId}|${active.leaseToken}` : "",
    finished ? "finished" : reopened ? "reopened" : "",
    intake.op,
    ended.op,
    ended.op === "add" ? ended.score : "",
    keyPrefix,
    chargeUsd,
  ];
};

const sameJob = (a: Job, b: Job): boolean => encodeJob(a).join("\u0000") === encodeJob(b).join("\u0000");

const commitFields = (before: JobState, after: Job): string[] =>
  before.status === "none" ? encodeJob(after) : encodeJobChanges(before, after);

export const jobStore = (runner: ScriptRunner, keys: RedisKeys): JobStore => {
  const jobKeys = (jobId: string) => [keys.jobStatus(jobId), keys.jobsPending, keys.jobsActive];
  const commitKeys = (jobId: string) => [
    ...jobKeys(jobId),
    keys.webhookOutbox,
    keys.jobsIntake,
    keys.jobsEnded,
  ];

  const load = (jobId: string): ResultAsync<JobRecord | null, JobStoreError> =>
    runner.run(LUA_SCRIPTS.getJob, [keys.jobStatus(jobId)], []).andThen((reply) => decodeJobRecord(reply));

  /** Writes `after` if the stored version is still `before.version`; "conflict" otherwise. */
  const commit = (before: JobState, after: Job): ResultAsync<"committed" | "conflict", TransitionError> =>
    runner
      .run(LUA_SCRIPTS.commitJob, commitKeys(after.jobId), [
        ...commitArgs(before, after, keys.prefix),
        ...commitFields(before, after),
      ])
      .andThen((reply) => parseScriptReply("commit-job", Reply.commit, reply))
      .andThen((r) => commitOutcome(r, after.jobId));

  const claimOutcome = (reply: unknown): ResultAsync<ClaimOutcome, JobStoreError> =>
    parseScriptReply("claim-job", Reply.claimHead, reply).andThen(
      (r): ResultAsync<ClaimOutcome, JobStoreError> => {
        if (r[0] === -4) return okAsync({ kind: "no-lease" });
        if (r[0] === 0) return okAsync({ kind: "empty", waitMs: r[1] < 0 ? null : r[1] });
        const now = r[1];
        return decodeJobRecord(r.slice(2)).asyncAndThen((record) =>
          record
            ? okAsync({ kind: "claimed" as const, job: record.job, meta: record.meta, now })
            : errAsync({ kind: "unexpected-reply" as const, message: "claim-job: claimed an empty record" }),
        );
      },
    );

  const claim = (machineId: string, leaseToken: string): ResultAsync<ClaimOutcome, JobStoreError> =>
    runner
      .run(
        LUA_SCRIPTS.claimJob,
        [keys.jobsPending, keys.jobsActive, keys.workerLeases],
        [keys.jobStatusPrefix, machineId, leaseToken],
      )
      .andThen(claimOutcome);

  const decideAndCommit = (
    state: Job,
    command: CommandFor,
    policy: JobRetryPolicy,
    triesLeft: number,
  ): ResultAsync<Job, TransitionError> => {
    const cmd = typeof command === "function" ? command(state) : command;
    const applied = applyJobCommand(cmd, state, policy);
    if (applied.isErr()) return errAsync({ kind: "rejected", rejection: applied.error });
    const after = applied.value.state;
    if (after.status === "none") throw new Error("a transition cannot delete a job");
    return commit(state, after).andThen((outcome) => {
      if (outcome === "committed") return okAsync(after);
      if (triesLeft <= 1) {
        const message = `job ${state.jobId} kept changing; gave up after ${MAX_COMMIT_TRIES} tries`;
        return errAsync({ kind: "conflict" as const, message });
      }
      // A transport retry may repeat a commit whose reply was lost: if the stored job is exactly ours, it landed.
      return loadExisting(state.jobId).andThen((fresh) =>
        sameJob(fresh, after) ? okAsync(after) : decideAndCommit(fresh, command, policy, triesLeft - 1),
      );
    });
  };

  const loadExisting = (jobId: string): ResultAsync<Job, TransitionError> =>
    load(jobId).andThen((record) => (record ? okAsync(record.job) : errAsync(notFound(jobId))));

  return {
    create: ({ job, meta, idempotency, intakeCheckAt, maxWaitingJobs, maxOpenJobs }) => {
      const pendingScore = job.status === "pending" ? (job.availableAt ?? job.updatedAt) : "";
      const intakeScore = awaitsInput(job) ? (intakeCheckAt ?? job.createdAt) : "";
      const owner = meta.owner ?? null;
      const scriptKeys = [keys.jobStatus(job.jobId), keys.jobsPending, keys.jobsIntake];
      if (owner !== null) scriptKeys.push(keys.jobsByOwner(owner), keys.openJobsByOwner(owner));
      if (idempotency) scriptKeys.push(keys.idempotency(idempotency.key));
      return runner
        .run(LUA_SCRIPTS.createJob, scriptKeys, [
          job.jobId,
          pendingScore,
          idempotency?.ttlSeconds ?? "",
          intakeScore,
          maxWaitingJobs ?? "",
          owner ?? "",
          owner === null ? "" : (maxOpenJobs ?? ""),
          job.createdAt,
          ...encodeJob(job),
          ...encodeMeta(meta),
        ])
        .andThen((reply) => parseScriptReply("create-job", Reply.create, reply))
        .andThen((reply): ResultAsync<CreateOutcome, JobStoreError> => {
          if (reply[0] === -5) return okAsync({ kind: "backlog-full", waiting: reply[1] });
          if (reply[0] === -4) return okAsync({ kind: "owner-at-cap", openJobs: reply[1] });
          const [code, jobId] = reply;
          if (code === 1) return okAsync({ kind: "created", jobId });
          if (code === 2) return okAsync({ kind: "replayed", jobId });
          return errAsync({ kind: "unexpected-reply", message: `create-job: job ${jobId} already exists` });
        });
    },

    load,

    claim,

    transition: (jobId, command, policy) =>
      loadExisting(jobId).andThen((state) => decideAndCommit(state, command, policy, MAX_COMMIT_TRIES)),

    transitionFrom: (known, command, policy) => decideAndCommit(known, command, policy, MAX_COMMIT_TRIES),

    finishAndClaim: (known, command, policy, next) => {
      const applied = applyJobCommand(
        typeof command === "function" ? command(known) : command,
        known,
        policy,
      );
      if (applied.isErr()) return errAsync({ kind: "rejected", rejection: applied.error });
      const after = applied.value.state as Job;
      const fields = commitFields(known, after);
      return runner
        .run(
          LUA_SCRIPTS.commitAndClaim,
          [...jobKeys(after.jobId), keys.workerLeases, keys.webhookOutbox, keys.jobsIntake, keys.jobsEnded],
          [
            ...commitArgs(known, after, keys.prefix),
            fields.length,
            ...fields,
            keys.jobStatusPrefix,
            next.machineId,
            next.leaseToken,
          ],
        )
        .andThen((reply) => parseScriptReply("commit-and-claim", Reply.commitAndClaim, reply))
        .andThen(([committed, claimed]) =>
          commitOutcome(committed, after.jobId).andThen((outcome) =>
            outcome === "committed"
              ? claimOutcome(claimed).map((claimedNext) => ({ job: after, next: claimedNext }))
              : decideAndCommit(known, command, policy, MAX_COMMIT_TRIES).andThen((job) =>
                  claim(next.machineId, next.leaseToken).map((claimedNext) => ({ job, next: claimedNext })),
                ),
          ),
        );
    },
  };
};

const notFound = (jobId: string): TransitionError => ({
  kind: "rejected",
  rejection: { code: "not-found", status: "none", message: `job ${jobId} does not exist` },
});
