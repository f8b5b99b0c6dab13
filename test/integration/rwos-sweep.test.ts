// The lease sweep on a real redis-server: orphaned jobs requeued or failed through the decider, fenced by lease
// tokens, dead machines and expired reservations released once, stale index entries cleaned.
import { randomBytes } from "node:crypto";
import { Redis } from "ioredis";
import { errAsync } from "neverthrow";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { type JobRetryPolicy, jobRetryPolicy } from "../../core/decide-job-retry.ts";
import type { Job } from "../../core/job-lifecycle/job-state.ts";
import { calendarMonth } from "../../core/month-key.ts";
import { ioredisScriptRunner } from "../../shell/redis/ioredis-script-runner.ts";
import { type JobStore, jobStore } from "../../shell/redis/job-store.ts";
import { type RedisKeys, redisKeys } from "../../shell/redis/key-schema.ts";
import { registerMachine } from "../../shell/redis/machine-leases.ts";
import { releaseMachine } from "../../shell/redis/release-machine.ts";
import { reserveMachines } from "../../shell/redis/reserve-machines.ts";
import { type LeaseSweepReport, runLeaseSweep } from "../../shell/redis/run-lease-sweep.ts";
import type { ScriptRunner } from "../../shell/redis/script-runner.ts";
import { releaseSwept } from "../../shell/redis/sweep-scripts.ts";
import { uniquePrefix } from "../services/test-namespace.ts";
import { redisClock } from "../support/redis-clock.ts";
import { buildJob } from "../support/rwos-context.ts";
import { type RestRunner, startRestRunner } from "../support/upstash-rest-runner.ts";

const POLICY = jobRetryPolicy({ maxAttempts: 3, baseDelayMs: 1_000, maxDelayMs: 10_000 });
const MACHINE_COST = 0.75;
const LIMITS = {
  maxMachines: 5,
  maxSpawns: 100,
  windowMs: 60_000,
  monthlyBudgetUsd: 1_000,
  machineMaxCostUsd: MACHINE_COST,
  bootDeadlineMs: 60_000,
};
const META = { webhookUrl: null, filename: null };
const NOTHING = {
  requeued: 0,
  failed: 0,
  skipped: 0,
  machinesReleased: 0,
  reservationsDropped: 0,
  staleEntriesRemoved: 0,
  errors: [],
};

let redis: Redis;
let runner: ScriptRunner;
beforeAll(() => {
  redis = new Redis(inject("redisUrl"), { maxRetriesPerRequest: 1 });
  runner = ioredisScriptRunner(redis);
});
afterAll(() => redis.quit());

const newMachineId = (): string => `m-${randomBytes(6).toString("hex")}`;
const redisNow = (): Promise<number> => redisClock(redis).now();
const waitForRedisPast = (ms: number): Promise<void> => redisClock(redis).waitPast(ms);
const slots = async (keys: RedisKeys): Promise<number> => Number(await redis.get(keys.activeMachines));
const spend = async (keys: RedisKeys): Promise<number> =>
  Number(await redis.get(keys.spend(calendarMonth(await redisNow()).key)));

const sweep = (keys: RedisKeys, store: Pick<JobStore, "transition">, policy: JobRetryPolicy = POLICY) =>
  runLeaseSweep(runner, keys, store, policy, { machineMaxCostUsd: MACHINE_COST });

const reserve = async (keys: RedisKeys, ids: string[], bootDeadlineMs = LIMITS.bootDeadlineMs) =>
  (
    await reserveMachines(runner, keys, calendarMonth(await redisNow()), { ...LIMITS, bootDeadlineMs }, ids)
  )._unsafeUnwrap();

/** A machine admitted and registered with a lease of `leaseMs`. */
const liveMachine = async (keys: RedisKeys, leaseMs: number) => {
  const machineId = newMachineId();
  await reserve(keys, [machineId]);
  const { expiresAt } = (
    await registerMachine(runner, keys, machineId, { leaseMs, maxMachines: LIMITS.maxMachines })
  )._unsafeUnwrap();
  return { machineId, expiresAt };
};

/** A fresh namespace with one job running on a machine whose lease lasts `leaseMs`. */
const runningJob = async (label: string, leaseMs: number, policy: JobRetryPolicy = POLICY) => {
  const keys = redisKeys(uniquePrefix(label));
  const store = jobStore(runner, keys);
  (await store.create({ job: buildJob({}, policy), meta: META }))._unsafeUnwrap();
  const machine = await liveMachine(keys, leaseMs);
  const leaseToken = `lease-${randomBytes(4).toString("hex")}`;
  const claimed = (await store.claim(machine.machineId, leaseToken))._unsafeUnwrap();
  if (claimed.kind !== "claimed") throw new Error(`expected a claim, got ${claimed.kind}`);
  return { keys, store, job: claimed.job, leaseToken, ...machine };
};

const loadJob = async (store: JobStore, jobId: string): Promise<Job | undefined> =>
  (await store.load(jobId))._unsafeUnwrap()?.job;

describe("orphaned jobs", () => {
  it("requeues a running job whose machine's lease expired, counting the attempt, and frees the machine", async () => {
    const { keys, store, job, machineId, expiresAt } = await runningJob("sweep-requeue", 200);
    await waitForRedisPast(expiresAt);

    const report = (await sweep(keys, store))._unsafeUnwrap();
    expect(report).toEqual({ ...NOTHING, now: report.now, requeued: 1, machinesReleased: 1 });
    const after = await loadJob(store, job.jobId);
    expect(after).toMatchObject({
      status: "pending",
      attempts: 1,
      progress: 0,
      leaseToken: null,
      machineId: null,
    });
    expect(after?.error).toEqual({
      code: "lease-expired",
      message: `worker ${machineId} lost its lease during attempt 1`,
      retryable: true,
    });
    expect(after?.availableAt).toBe(report.now + POLICY.baseDelayMs);
    expect(await redis.zscore(keys.jobsPending, job.jobId)).toBe(String(report.now + POLICY.baseDelayMs));
    expect(await redis.hlen(keys.jobsActive)).toBe(0);
    expect(await redis.zscore(keys.workerLeases, machineId)).toBeNull();
    expect(await slots(keys)).toBe(0);
    expect(await spend(keys)).toBe(MACHINE_COST);

    // The sweep is stable: a second pass finds nothing to do.
    const again = (await sweep(keys, store))._unsafeUnwrap();
    expect(again).toEqual({ ...NOTHING, now: again.now });
    expect(await spend(keys)).toBe(MACHINE_COST);
  });

  it("fails the job with lease-expired-max-attempts once its attempts are spent", async () => {
    const policy = jobRetryPolicy({ maxAttempts: 1, baseDelayMs: 1_000, maxDelayMs: 1_000 });
    const { keys, store, job, expiresAt } = await runningJob("sweep-fail", 200, policy);
    await waitForRedisPast(expiresAt);

    const report = (await sweep(keys, store, policy))._unsafeUnwrap();
    expect(report).toEqual({ ...NOTHING, now: report.now, failed: 1, machinesReleased: 1 });
    const after = await loadJob(store, job.jobId);
    expect(after).toMatchObject({ status: "failed", attempts: 1, finishedAt: report.now });
    expect(after?.error?.code).toBe("lease-expired-max-attempts");
    expect(await redis.zscore(keys.jobsPending, job.jobId)).toBeNull();
    expect(await redis.hlen(keys.jobsActive)).toBe(0);
  });

  it("leaves a live machine's job alone", async () => {
    const { keys, store, job, machineId } = await runningJob("sweep-live", 60_000);
    const report = (await sweep(keys, store))._unsafeUnwrap();
    expect(report).toEqual({ ...NOTHING, now: report.now });
    expect(await loadJob(store, job.jobId)).toEqual(job);
    expect(await redis.hget(keys.jobsActive, job.jobId)).toBe(`${machineId}|${job.leaseToken}`);
    expect(await slots(keys)).toBe(1);
  });
});

describe("fencing: someone else moved the job on between snapshot and transition", () => {
  it("skips a job its worker completed after all (already-terminal)", async () => {
    const { keys, store, job, leaseToken, expiresAt } = await runningJob("sweep-fenced-done", 200);
    await waitForRedisPast(expiresAt);
    const worker: Pick<JobStore, "transition"> = {
      transition: (jobId, command, policy) =>
        store
          .transition(
            jobId,
            {
              type: "complete",
              leaseToken,
              outputs: [],
              costUsd: 0.01,
              machineSeconds: 1,
              at: job.startedAt ?? 0,
            },
            policy,
          )
          .andThen(() => store.transition(jobId, command, policy)),
    };
    const report = (await sweep(keys, worker))._unsafeUnwrap();
    expect(report).toEqual({ ...NOTHING, now: report.now, skipped: 1, machinesReleased: 1 });
    expect((await loadJob(store, job.jobId))?.status).toBe("completed");
    expect(await slots(keys)).toBe(0);
  });

  it("skips a job already requeued and claimed by another machine (stale-lease), leaving the new claim alone", async () => {
    const policy = jobRetryPolicy({ maxAttempts: 3, baseDelayMs: 0, maxDelayMs: 0 });
    const { keys, store, job, leaseToken, expiresAt } = await runningJob("sweep-fenced-stale", 200, policy);
    await waitForRedisPast(expiresAt);
    const rescuer = await liveMachine(keys, 60_000);
    const racer: Pick<JobStore, "transition"> = {
      transition: (jobId, command, p) =>
        store
          .transition(jobId, { type: "expire-lease", leaseToken, at: expiresAt + 1 }, p)
          .andThen(() => store.claim(rescuer.machineId, "lease-rescue"))
          .andThen(() => store.transition(jobId, command, p)),
    };
    const report = (await sweep(keys, racer, policy))._unsafeUnwrap();
    expect(report).toEqual({ ...NOTHING, now: report.now, skipped: 1, machinesReleased: 1 });
    const after = await loadJob(store, job.jobId);
    expect(after).toMatchObject({ status: "running", attempts: 2, leaseToken: "lease-rescue" });
    expect(await redis.hget(keys.jobsActive, job.jobId)).toBe(`${rescuer.machineId}|lease-rescue`);
  });

  it("two sweeps at once requeue the job once, release the machine once and charge it once", async () => {
    const { keys, store, job, expiresAt } = await runningJob("sweep-concurrent", 200);
    await waitForRedisPast(expiresAt);
    const reports = (await Promise.all([sweep(keys, store), sweep(keys, store), sweep(keys, store)])).map(
      (r) => r._unsafeUnwrap(),
    );
    const total = (field: "requeued" | "failed" | "machinesReleased") =>
      reports.reduce((sum, r: LeaseSweepReport) => sum + r[field], 0);
    // Sweeps that read Redis in the same millisecond decide the very same requeue; the losers find it stored and
    // cannot tell it from their own commit whose reply was lost, so they report it too. One commit is what counts:
    // the version moved by exactly one.
    expect(reports.map((r) => r.requeued + r.skipped)).toEqual([1, 1, 1]);
    expect(total("requeued")).toBeGreaterThanOrEqual(1);
    expect(total("failed")).toBe(0);
    expect(total("machinesReleased")).toBe(1);
    expect((await loadJob(store, job.jobId))?.attempts).toBe(1);
    expect((await loadJob(store, job.jobId))?.version).toBe(job.version + 1);
    expect(await slots(keys)).toBe(0);
    expect(await spend(keys)).toBe(MACHINE_COST);
  });

  it("keeps a dead machine's lease while its job could not be expired, so the next sweep retries", async () => {
    const { keys, store, job, machineId, expiresAt } = await runningJob("sweep-retry", 200);
    await waitForRedisPast(expiresAt);
    const down: Pick<JobStore, "transition"> = {
      transition: () => errAsync({ kind: "redis-unavailable", message: "connection reset" }),
    };
    const failed = (await sweep(keys, down))._unsafeUnwrap();
    expect(failed.errors.map((e) => e.jobId)).toEqual([job.jobId]);
    expect(failed.machinesReleased).toBe(0);
    expect(await redis.zscore(keys.workerLeases, machineId)).not.toBeNull();
    expect(await slots(keys)).toBe(1);

    const retried = (await sweep(keys, store))._unsafeUnwrap();
    expect(retried).toEqual({ ...NOTHING, now: retried.now, requeued: 1, machinesReleased: 1 });
    expect(await slots(keys)).toBe(0);
  });
});

describe("reservations and the running-job index", () => {
  it("drops reservations past their boot deadline, freeing their slots and charging their worst case", async () => {
    const keys = redisKeys(uniquePrefix("sweep-reservations"));
    const store = jobStore(runner, keys);
    const booting = [newMachineId(), newMachineId()];
    const { bootDeadline } = await reserve(keys, booting, 150);
    const fresh = newMachineId();
    await reserve(keys, [fresh]);
    await waitForRedisPast(bootDeadline);

    const report = (await sweep(keys, store))._unsafeUnwrap();
    expect(report).toEqual({ ...NOTHING, now: report.now, reservationsDropped: 2 });
    expect(await redis.zrange(keys.workerReservations, 0, -1)).toEqual([fresh]);
    expect(await slots(keys)).toBe(1);
    expect(await spend(keys)).toBe(2 * MACHINE_COST);
  });

  it("release re-checks Redis time: a reservation registered since the snapshot, or a live lease, stays", async () => {
    const keys = redisKeys(uniquePrefix("sweep-recheck"));
    const late = newMachineId();
    const { bootDeadline } = await reserve(keys, [late], 100);
    await waitForRedisPast(bootDeadline);
    // The sweep's snapshot would list `late` as expired; the machine registers before the sweep releases it.
    (await registerMachine(runner, keys, late, { leaseMs: 60_000, maxMachines: 5 }))._unsafeUnwrap();
    const month = calendarMonth(await redisNow());
    const released = (
      await releaseSwept(runner, keys, month, MACHINE_COST, {
        machineIds: [late],
        reservationIds: [late],
        staleEntries: [],
      })
    )._unsafeUnwrap();
    expect(released).toEqual({ machinesReleased: 0, reservationsDropped: 0, staleEntriesRemoved: 0 });
    expect(await redis.zscore(keys.workerLeases, late)).not.toBeNull();
    expect(await slots(keys)).toBe(1);
    expect(await redis.get(keys.spend(month.key))).toBeNull();
  });

  it("release re-checks index entries: one whose job runs under its lease, or one rewritten since, stays", async () => {
    const { keys, job, machineId } = await runningJob("sweep-recheck-index", 60_000);
    const entry = `${machineId}|${job.leaseToken}`;
    await redis.hset(keys.jobsActive, "job_rewritten", "m-new|lease-new");
    const released = (
      await releaseSwept(runner, keys, calendarMonth(await redisNow()), MACHINE_COST, {
        machineIds: [],
        reservationIds: [],
        staleEntries: [
          { jobId: job.jobId, entry },
          { jobId: "job_rewritten", entry: "m-old|lease-old" },
        ],
      })
    )._unsafeUnwrap();
    expect(released).toEqual({ machinesReleased: 0, reservationsDropped: 0, staleEntriesRemoved: 0 });
    expect(await redis.hgetall(keys.jobsActive)).toEqual({
      [job.jobId]: entry,
      job_rewritten: "m-new|lease-new",
    });
  });

  it("reports and removes index entries whose job is gone or no longer running under that lease", async () => {
    const { keys, store, job, machineId } = await runningJob("sweep-stale", 60_000);
    const done = buildJob({});
    (await store.create({ job: done, meta: META }))._unsafeUnwrap();
    (await store.transition(done.jobId, { type: "cancel", at: done.createdAt + 1 }, POLICY))._unsafeUnwrap();
    await redis.hset(
      keys.jobsActive,
      done.jobId,
      `${machineId}|lease-old`,
      "job_missing",
      `${machineId}|lease-x`,
    );

    const report = (await sweep(keys, store))._unsafeUnwrap();
    expect(report).toEqual({ ...NOTHING, now: report.now, staleEntriesRemoved: 2 });
    expect(await redis.hgetall(keys.jobsActive)).toEqual({ [job.jobId]: `${machineId}|${job.leaseToken}` });
    expect((await loadJob(store, done.jobId))?.status).toBe("cancelled");
  });
});

describe("over the Upstash REST protocol", () => {
  let bridge: RestRunner;
  let rest: ScriptRunner;
  beforeAll(async () => {
    bridge = await startRestRunner(inject("redisUrl"));
    rest = bridge.runner;
  });
  afterAll(() => bridge?.close());

  it("sweeps a dead machine's job and releases a live machine with its held job, through @upstash/redis", async () => {
    const { keys, job: orphan, expiresAt } = await runningJob("sweep-rest", 200);
    const store = jobStore(rest, keys);
    const held = buildJob({});
    (await store.create({ job: held, meta: META }))._unsafeUnwrap();
    const live = await liveMachine(keys, 60_000);
    expect((await store.claim(live.machineId, "lease-live"))._unsafeUnwrap().kind).toBe("claimed");
    await waitForRedisPast(expiresAt);

    const report = (
      await runLeaseSweep(rest, keys, store, POLICY, { machineMaxCostUsd: MACHINE_COST })
    )._unsafeUnwrap();
    expect(report).toEqual({ ...NOTHING, now: report.now, requeued: 1, machinesReleased: 1 });
    expect((await loadJob(store, orphan.jobId))?.status).toBe("pending");
    expect((await loadJob(store, held.jobId))?.status).toBe("running");

    const released = (
      await releaseMachine(
        rest,
        keys,
        store,
        POLICY,
        { machineId: live.machineId, costUsd: 0.5, stopGraceMs: 0 },
        Date.now(),
      )
    )._unsafeUnwrap();
    expect(released.released).toBe(true);
    expect(released.heldJobs.requeued).toEqual([held.jobId]);
    expect(await slots(keys)).toBe(0);
    expect(await spend(keys)).toBe(MACHINE_COST + 0.5);
  });
});
