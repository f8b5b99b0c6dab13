// The no-op RWOS job flow the benchmarks time: build pending jobs with the core, enqueue them, claim and complete.
import { randomBytes } from "node:crypto";
import type { Redis } from "ioredis";
import { DEFAULT_JOB_RETRY_POLICY } from "../core/decide-job-retry.ts";
import { applyJobCommand } from "../core/job-lifecycle/apply-job-command.ts";
import { initialJobState, type Job } from "../core/job-lifecycle/job-state.ts";
import { ioredisScriptRunner } from "../shell/redis/ioredis-script-runner.ts";
import type { ClaimOutcome, JobStore } from "../shell/redis/job-store.ts";
import type { RedisKeys } from "../shell/redis/key-schema.ts";
import { registerMachine } from "../shell/redis/machine-leases.ts";

// Long enough that no lease lapses during a run; slots enough for every machine a run registers.
const LEASE = { leaseMs: 600_000, maxMachines: 1_000 } as const;
const POLICY = DEFAULT_JOB_RETRY_POLICY;
const NO_META = { webhookUrl: null, filename: null } as const;

export const newJobId = (): string => `job_${randomBytes(8).toString("hex")}`;
export const newMachineId = (): string => `bench_${randomBytes(6).toString("hex")}`;
const newLeaseToken = (): string => randomBytes(12).toString("hex");

/** A URL-ingest job as the decider builds it: `create` then `enqueue`, so pending and claimable from `at`. */
export const buildPendingJob = (at: number): Job => {
  const jobId = newJobId();
  const inputKey = `uploads/${jobId}/clip.mp4`;
  const create = { type: "create", jobId, preset: "web-optimized", inputKey, source: "url", at } as const;
  const queued = applyJobCommand(create, initialJobState, POLICY)._unsafeUnwrap().state;
  if (queued.status === "none") throw new Error("create produced no job");
  const pending = applyJobCommand({ type: "enqueue", at }, queued, POLICY)._unsafeUnwrap().state;
  if (pending.status !== "pending") throw new Error(`enqueue left the job ${pending.status}`);
  return pending;
};

/**
 * Registers a machine as a booted worker does (register-machine.lua; no reservation, so it takes a free slot),
 * giving it a live lease. Set-up only: the benchmarks time and count jobs, not machine registration.
 */
export const grantLease = async (admin: Redis, keys: RedisKeys, machineId: string): Promise<void> => {
  const registered = await registerMachine(ioredisScriptRunner(admin), keys, machineId, LEASE);
  if (registered.isErr()) throw new Error(`register ${machineId}: ${JSON.stringify(registered.error)}`);
};

/** Creates one pending job, claimable at once; answers its id. */
export const enqueueOne = async (store: JobStore): Promise<string> => {
  const created = await store.create({ job: buildPendingJob(Date.now()), meta: NO_META });
  if (created.isErr()) throw new Error(`create failed: ${JSON.stringify(created.error)}`);
  if (created.value.kind !== "created") throw new Error(`create answered ${created.value.kind}`);
  return created.value.jobId;
};

/** Creates `count` pending jobs with at most `inFlight` create scripts outstanding at once. */
export const enqueueJobs = async (store: JobStore, count: number, inFlight: number): Promise<void> => {
  let next = 0;
  const producer = async (): Promise<void> => {
    while (next < count) {
      next++;
      await enqueueOne(store);
    }
  };
  await Promise.all(Array.from({ length: Math.min(inFlight, count) }, producer));
};

const NO_OP_COMPLETE = { type: "complete", outputs: [], costUsd: 0, machineSeconds: 0 } as const;

export type Claimed = Extract<ClaimOutcome, { kind: "claimed" }>;

/** One claim attempt under a fresh lease token; a lost lease or a store failure is a benchmark failure. */
export const claimOnce = async (
  store: JobStore,
  machineId: string,
): Promise<Claimed | Extract<ClaimOutcome, { kind: "empty" }>> => {
  const outcome = await store.claim(machineId, newLeaseToken());
  if (outcome.isErr()) throw new Error(`claim failed: ${JSON.stringify(outcome.error)}`);
  if (outcome.value.kind === "no-lease") throw new Error(`machine ${machineId} holds no lease`);
  return outcome.value;
};

/** Completes a claimed job as a no-op worker would: no outputs, no cost. */
export const completeJob = async (store: JobStore, claimed: Claimed): Promise<void> => {
  const { job } = claimed;
  if (job.leaseToken === null) throw new Error(`claimed job ${job.jobId} has no lease token`);
  const command = { ...NO_OP_COMPLETE, leaseToken: job.leaseToken, at: Date.now() } as const;
  const done = await store.transitionFrom(job, command, POLICY);
  if (done.isErr()) throw new Error(`complete failed: ${JSON.stringify(done.error)}`);
};

/**
 * A worker loop over a queue filled up front: claim once, then complete-and-claim-next (one round trip a job,
 * commit-and-claim.lua) until the queue is empty.
 */
export const drainQueue = async (store: JobStore, machineId: string): Promise<number> => {
  let completed = 0;
  let current = await claimOnce(store, machineId);
  while (current.kind === "claimed") {
    const { job } = current;
    if (job.leaseToken === null) throw new Error(`claimed job ${job.jobId} has no lease token`);
    const command = { ...NO_OP_COMPLETE, leaseToken: job.leaseToken, at: Date.now() } as const;
    const done = await store.finishAndClaim(job, command, POLICY, { machineId, leaseToken: newLeaseToken() });
    if (done.isErr()) throw new Error(`complete failed: ${JSON.stringify(done.error)}`);
    if (done.value.next.kind === "no-lease") throw new Error(`machine ${machineId} holds no lease`);
    completed++;
    current = done.value.next;
  }
  if (current.waitMs !== null) throw new Error("a benchmark job was backed off");
  return completed;
};
