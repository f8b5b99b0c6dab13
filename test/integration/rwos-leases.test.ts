// Machine leases on a real redis-server: register, heartbeat, real expiry that is never revived, and release.
import { randomBytes } from "node:crypto";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { jobRetryPolicy } from "../../core/decide-job-retry.ts";
import { calendarMonth } from "../../core/month-key.ts";
import { commitMachineCost } from "../../shell/redis/commit-machine-cost.ts";
import { LUA_SCRIPTS } from "../../shell/redis/generated/lua-scripts.ts";
import { ioredisScriptRunner } from "../../shell/redis/ioredis-script-runner.ts";
import { jobStore } from "../../shell/redis/job-store.ts";
import { type RedisKeys, redisKeys } from "../../shell/redis/key-schema.ts";
import { heartbeatMachine, registerMachine } from "../../shell/redis/machine-leases.ts";
import { releaseMachine } from "../../shell/redis/release-machine.ts";
import { readAdmissionSnapshot, reserveMachines } from "../../shell/redis/reserve-machines.ts";
import type { ScriptRunner } from "../../shell/redis/script-runner.ts";
import { readSweepSnapshot, releaseSwept } from "../../shell/redis/sweep-scripts.ts";
import { pickBackend } from "../services/pick-backend.ts";
import type { RunningRedis } from "../services/service-backend.ts";
import { uniquePrefix } from "../services/test-namespace.ts";
import { redisClock } from "../support/redis-clock.ts";
import { buildJob } from "../support/rwos-context.ts";

const POLICY = jobRetryPolicy({ maxAttempts: 3, baseDelayMs: 1_000, maxDelayMs: 10_000 });
const LIMITS = {
  maxMachines: 3,
  maxSpawns: 100,
  windowMs: 60_000,
  monthlyBudgetUsd: 1_000,
  machineMaxCostUsd: 1,
  bootDeadlineMs: 60_000,
};
const LEASE = { leaseMs: 60_000, maxMachines: LIMITS.maxMachines };

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
const spend = async (keys: RedisKeys): Promise<string | null> =>
  redis.get(keys.spend(calendarMonth(await redisNow()).key));

const reserveOne = async (keys: RedisKeys): Promise<string> => {
  const id = newMachineId();
  (await reserveMachines(runner, keys, calendarMonth(await redisNow()), LIMITS, [id]))._unsafeUnwrap();
  return id;
};
const release = (keys: RedisKeys, machineId: string, costUsd: number, stopGraceMs = 0) =>
  releaseMachine(
    runner,
    keys,
    jobStore(runner, keys),
    POLICY,
    { machineId, costUsd, stopGraceMs },
    Date.now(),
  );

describe("register", () => {
  it("turns a reservation into a lease without taking another slot, and a replay only renews it", async () => {
    const keys = redisKeys(uniquePrefix("register"));
    const id = await reserveOne(keys);
    expect(await slots(keys)).toBe(1);

    const registered = (await registerMachine(runner, keys, id, LEASE))._unsafeUnwrap();
    expect(registered.kind).toBe("from-reservation");
    expect(await slots(keys)).toBe(1);
    expect(await redis.zscore(keys.workerReservations, id)).toBeNull();
    expect(Number(await redis.zscore(keys.workerLeases, id))).toBe(registered.expiresAt);

    const replay = (await registerMachine(runner, keys, id, LEASE))._unsafeUnwrap();
    expect(replay.kind).toBe("renewed");
    expect(await slots(keys)).toBe(1);
    expect(await redis.zcard(keys.workerLeases)).toBe(1);
  });

  it("lets a machine without a reservation take a free slot, and refuses it when every slot is taken", async () => {
    const keys = redisKeys(uniquePrefix("register-free"));
    await reserveOne(keys);
    await reserveOne(keys);
    const walkIn = newMachineId();
    expect((await registerMachine(runner, keys, walkIn, LEASE))._unsafeUnwrap().kind).toBe("free-slot");
    expect(await slots(keys)).toBe(3);

    const late = newMachineId();
    expect((await registerMachine(runner, keys, late, LEASE))._unsafeUnwrapErr()).toEqual({
      kind: "no-free-slot",
      slotsTaken: 3,
    });
    expect(await redis.zscore(keys.workerLeases, late)).toBeNull();
    expect(await slots(keys)).toBe(3);
  });

  it("accepts a reservation past its boot deadline that the sweep has not dropped yet: it still holds its slot", async () => {
    const keys = redisKeys(uniquePrefix("register-late"));
    const id = newMachineId();
    const month = calendarMonth(await redisNow());
    const { bootDeadline } = (
      await reserveMachines(runner, keys, month, { ...LIMITS, bootDeadlineMs: 100 }, [id])
    )._unsafeUnwrap();
    await waitForRedisPast(bootDeadline);
    expect((await registerMachine(runner, keys, id, LEASE))._unsafeUnwrap().kind).toBe("from-reservation");
    expect(await slots(keys)).toBe(1);
  });
});

describe("heartbeat and expiry", () => {
  it("extends a live lease from Redis now", async () => {
    const keys = redisKeys(uniquePrefix("heartbeat"));
    const id = await reserveOne(keys);
    const registered = (
      await registerMachine(runner, keys, id, { ...LEASE, leaseMs: 1_000 })
    )._unsafeUnwrap();
    const beat = (await heartbeatMachine(runner, keys, id, 600_000))._unsafeUnwrap();
    expect(beat.expiresAt).toBeGreaterThanOrEqual(registered.expiresAt + 599_000);
    expect(Number(await redis.zscore(keys.workerLeases, id))).toBe(beat.expiresAt);
  });

  it("an expired lease is lost and never revived, by heartbeat or by registering again", async () => {
    const keys = redisKeys(uniquePrefix("expiry"));
    const id = await reserveOne(keys);
    const { expiresAt } = (
      await registerMachine(runner, keys, id, { ...LEASE, leaseMs: 200 })
    )._unsafeUnwrap();
    await waitForRedisPast(expiresAt);

    expect((await heartbeatMachine(runner, keys, id, 60_000))._unsafeUnwrapErr().kind).toBe("lease-lost");
    expect((await registerMachine(runner, keys, id, LEASE))._unsafeUnwrapErr().kind).toBe("lease-lost");
    expect(Number(await redis.zscore(keys.workerLeases, id))).toBe(expiresAt);
    expect((await jobStore(runner, keys).claim(id, "token-after-death"))._unsafeUnwrap().kind).toBe(
      "no-lease",
    );
    expect(await slots(keys)).toBe(1);
  });

  it("a machine that never registered has no lease to extend", async () => {
    const keys = redisKeys(uniquePrefix("heartbeat-unknown"));
    expect((await heartbeatMachine(runner, keys, newMachineId(), 1_000))._unsafeUnwrapErr().kind).toBe(
      "lease-lost",
    );
    expect(await redis.zcard(keys.workerLeases)).toBe(0);
  });
});

describe("release", () => {
  it("two concurrent releases free the slot and charge the cost once", async () => {
    const keys = redisKeys(uniquePrefix("release-twice"));
    const other = await reserveOne(keys);
    const id = await reserveOne(keys);
    (await registerMachine(runner, keys, id, LEASE))._unsafeUnwrap();
    expect(await slots(keys)).toBe(2);

    const [a, b] = await Promise.all([release(keys, id, 0.25), release(keys, id, 0.25)]);
    const released = [a._unsafeUnwrap().released, b._unsafeUnwrap().released].sort();
    expect(released).toEqual([false, true]);
    expect(await slots(keys)).toBe(1);
    expect(Number(await spend(keys))).toBe(0.25);
    expect(await redis.zscore(keys.workerLeases, id)).toBeNull();
    expect(await redis.zscore(keys.workerReservations, other)).not.toBeNull();

    expect((await release(keys, id, 0.25))._unsafeUnwrap().released).toBe(false);
    expect(await slots(keys)).toBe(1);
    expect(Number(await spend(keys))).toBe(0.25);
  });

  it("frees a reservation whose machine never started, charging nothing", async () => {
    const keys = redisKeys(uniquePrefix("release-reservation"));
    const id = await reserveOne(keys);
    expect((await release(keys, id, 0))._unsafeUnwrap().released).toBe(true);
    expect(await slots(keys)).toBe(0);
    expect(await redis.zcard(keys.workerReservations)).toBe(0);
    expect(await spend(keys)).toBeNull();
  });

  it("never takes the slot counter below zero", async () => {
    const keys = redisKeys(uniquePrefix("release-floor"));
    const id = await reserveOne(keys);
    (await registerMachine(runner, keys, id, LEASE))._unsafeUnwrap();
    await redis.set(keys.activeMachines, "0"); // drift, as after a manual repair
    expect((await release(keys, id, 0.1))._unsafeUnwrap().released).toBe(true);
    expect(await redis.get(keys.activeMachines)).toBe("0");
  });

  it("holds a stopping machine's slot through its grace (by Redis time), then the next admission frees it", async () => {
    const keys = redisKeys(uniquePrefix("release-grace"));
    const id = await reserveOne(keys);
    (await registerMachine(runner, keys, id, LEASE))._unsafeUnwrap();
    const { now } = (await release(keys, id, 0.25, 400))._unsafeUnwrap();
    expect(Number(await spend(keys))).toBe(0.25);
    expect(await slots(keys)).toBe(1);
    const month = calendarMonth(now);
    const during = (await readAdmissionSnapshot(runner, keys, month, LIMITS))._unsafeUnwrap();
    expect(during).toMatchObject({ liveLeases: 0, exitingMachines: 1, nextExitAt: now + 400, slotsTaken: 1 });
    // The cap (3) has room for two more, not three, while the machine stops.
    const three = () => Array.from({ length: 3 }, newMachineId);
    const refused = await reserveMachines(runner, keys, month, LIMITS, three());
    expect(refused._unsafeUnwrapErr()).toMatchObject({ kind: "admission-conflict", guard: "capacity" });
    // A repeated release neither frees the slot early nor extends the grace.
    expect((await release(keys, id, 0.25, 60_000))._unsafeUnwrap().released).toBe(false);

    await waitForRedisPast(now + 400);
    const after = (await readAdmissionSnapshot(runner, keys, month, LIMITS))._unsafeUnwrap();
    expect(after).toMatchObject({ exitingMachines: 0, nextExitAt: 0, slotsTaken: 0 });
    (await reserveMachines(runner, keys, month, LIMITS, three()))._unsafeUnwrap();
    expect(await slots(keys)).toBe(3);
    expect(await redis.zcard(keys.workerExiting)).toBe(0);
  });

  it("two machines under one id (a late duplicate create) released in turn: each slot is freed, none leaks", async () => {
    const keys = redisKeys(uniquePrefix("release-duplicate"));
    const id = await reserveOne(keys);
    (await registerMachine(runner, keys, id, LEASE))._unsafeUnwrap();
    const first = (await release(keys, id, 0.1, 300))._unsafeUnwrap();
    // The duplicate boots after the first left: no lease, no reservation, so it takes a free slot of its own.
    expect((await registerMachine(runner, keys, id, LEASE))._unsafeUnwrap().kind).toBe("free-slot");
    expect(await slots(keys)).toBe(2);
    (await release(keys, id, 0.1, 300))._unsafeUnwrap();
    expect(await slots(keys)).toBe(1);
    expect(Number(await redis.zscore(keys.workerExiting, id))).toBeGreaterThanOrEqual(first.now + 300);
    await waitForRedisPast(Number(await redis.zscore(keys.workerExiting, id)));
    (
      await releaseSwept(runner, keys, calendarMonth(first.now), 1, {
        machineIds: [],
        reservationIds: [],
        staleEntries: [],
      })
    )._unsafeUnwrap();
    expect(await slots(keys)).toBe(0);
  });

  it("the sweep frees the slots whose stop grace is over, with no admission to do it", async () => {
    const keys = redisKeys(uniquePrefix("release-grace-sweep"));
    const [a, b] = [await reserveOne(keys), await reserveOne(keys)];
    const { now } = (await release(keys, a, 0, 300))._unsafeUnwrap();
    (await release(keys, b, 0, 60_000))._unsafeUnwrap();
    const sweepNothing = () =>
      releaseSwept(runner, keys, calendarMonth(now), 1, {
        machineIds: [],
        reservationIds: [],
        staleEntries: [],
      });
    (await sweepNothing())._unsafeUnwrap();
    expect(await slots(keys)).toBe(2);
    await waitForRedisPast(now + 300);
    (await sweepNothing())._unsafeUnwrap();
    expect(await slots(keys)).toBe(1);
    expect(await redis.zrange(keys.workerExiting, 0, -1)).toEqual([b]);
    expect(await spend(keys)).toBeNull();
  });

  it("expires the job a machine still held, at once, through the job store", async () => {
    const keys = redisKeys(uniquePrefix("release-held"));
    const store = jobStore(runner, keys);
    const job = buildJob({});
    (await store.create({ job, meta: { webhookUrl: null, filename: null } }))._unsafeUnwrap();
    const id = await reserveOne(keys);
    (await registerMachine(runner, keys, id, LEASE))._unsafeUnwrap();
    const claimed = (await store.claim(id, "lease-held"))._unsafeUnwrap();
    expect(claimed.kind).toBe("claimed");

    const result = (await release(keys, id, 0.5))._unsafeUnwrap();
    expect(result.heldJobs).toEqual({ requeued: [job.jobId], failed: [], skipped: [], errors: [] });
    const after = (await store.load(job.jobId))._unsafeUnwrap()?.job;
    expect(after).toMatchObject({ status: "pending", attempts: 1, leaseToken: null, machineId: null });
    expect(after?.error?.code).toBe("lease-expired");
    expect(after?.availableAt).toBe(result.now + POLICY.baseDelayMs);
    expect(await redis.hlen(keys.jobsActive)).toBe(0);
    expect(await redis.zscore(keys.jobsPending, job.jobId)).toBe(String(result.now + POLICY.baseDelayMs));

    // A repeated release finds no job left to expire.
    expect((await release(keys, id, 0.5))._unsafeUnwrap().heldJobs.requeued).toEqual([]);
  });
});

describe("commitments: a machine whose job may keep it past its TTL", () => {
  const commit = (keys: RedisKeys, machineId: string, commitmentUsd: number, monthlyBudgetUsd: number) =>
    commitMachineCost(
      runner,
      keys,
      { machineId, commitmentUsd, monthlyBudgetUsd, reservedUsd: 1 },
      Date.now(),
    );

  it("commits within what the budget has left next to the other machines, and refuses beyond it", async () => {
    const keys = redisKeys(uniquePrefix("commit"));
    const [a, b] = [await reserveOne(keys), await reserveOne(keys)];
    for (const id of [a, b]) (await registerMachine(runner, keys, id, LEASE))._unsafeUnwrap();
    await redis.incrbyfloat(keys.spend(calendarMonth(await redisNow()).key), 2);

    // Spent 2, b holds its reserved 1: a may commit up to 7 of a 10 budget.
    expect((await commit(keys, a, 7, 10))._unsafeUnwrap()).toEqual({
      committed: true,
      budget: { monthlyBudgetUsd: 10, spentUsd: 2, heldByOthersUsd: 1 },
    });
    expect(await redis.hget(keys.workerCommitments, a)).toBe("7");
    // a's 7 is 6 beyond its reserved 1: b cannot commit 2.
    expect((await commit(keys, b, 2, 10))._unsafeUnwrap()).toEqual({
      committed: false,
      budget: { monthlyBudgetUsd: 10, spentUsd: 2, heldByOthersUsd: 7 },
    });
    expect(await redis.hget(keys.workerCommitments, b)).toBeNull();
    // Admission counts it too: 2 spent + 2 slots × 1 + 6 beyond = 10, no room for a third machine.
    const snapshot = (
      await readAdmissionSnapshot(runner, keys, calendarMonth(await redisNow()), {
        ...LIMITS,
        monthlyBudgetUsd: 10,
      })
    )._unsafeUnwrap();
    expect(snapshot.beyondTtlUsd).toBe(6);
    expect(
      (
        await reserveMachines(
          runner,
          keys,
          calendarMonth(await redisNow()),
          { ...LIMITS, monthlyBudgetUsd: 10 },
          [newMachineId()],
        )
      )._unsafeUnwrapErr(),
    ).toMatchObject({ kind: "admission-conflict", guard: "budget" });

    // Released, a is charged what it really cost, and its commitment is gone.
    expect((await release(keys, a, 0.5))._unsafeUnwrap().released).toBe(true);
    expect(await redis.hlen(keys.workerCommitments)).toBe(0);
    expect(Number(await spend(keys))).toBe(2.5);
  });

  it("refuses a machine without a live lease", async () => {
    const keys = redisKeys(uniquePrefix("commit-dead"));
    expect((await commit(keys, newMachineId(), 2, 10))._unsafeUnwrapErr()).toMatchObject({
      kind: "lease-lost",
    });
  });

  it("a dead machine with a commitment is charged its commitment by the sweep, not the reserved worst case", async () => {
    const keys = redisKeys(uniquePrefix("commit-swept"));
    const id = await reserveOne(keys);
    const { expiresAt } = (
      await registerMachine(runner, keys, id, { ...LEASE, leaseMs: 200 })
    )._unsafeUnwrap();
    (await commit(keys, id, 3, 10))._unsafeUnwrap();
    await waitForRedisPast(expiresAt);
    const swept = await releaseSwept(runner, keys, calendarMonth(await redisNow()), 1, {
      machineIds: [id],
      reservationIds: [],
      staleEntries: [],
    });
    expect(swept._unsafeUnwrap().machinesReleased).toBe(1);
    expect(Number(await spend(keys))).toBe(3);
    expect(await redis.hlen(keys.workerCommitments)).toBe(0);
  });
});

describe("Redis commands each machine script costs on its happy path (INFO commandstats, private server)", () => {
  let server: RunningRedis;
  let client: Redis;
  let own: ScriptRunner;
  beforeAll(async () => {
    server = await (await pickBackend()).startRedis();
    client = new Redis(server.url, { maxRetriesPerRequest: 1 });
    own = ioredisScriptRunner(client);
    for (const script of Object.values(LUA_SCRIPTS)) await client.script("LOAD", script.source);
  });
  afterAll(async () => {
    await client?.quit();
    await server?.stop();
  });

  /** Commands Redis ran for `action`, by name, leaving out the EVALSHA that carried them. */
  const commandsOf = async (action: () => PromiseLike<unknown>): Promise<Record<string, number>> => {
    await client.config("RESETSTAT");
    await action();
    const stats = await client.info("commandstats");
    const calls: Record<string, number> = {};
    for (const [, name, n] of stats.matchAll(/^cmdstat_([\w|]+):calls=(\d+)/gm)) {
      if (name !== "evalsha" && !name?.startsWith("config")) calls[name as string] = Number(n);
    }
    return calls;
  };
  const total = (calls: Record<string, number>): number => Object.values(calls).reduce((a, b) => a + b, 0);

  it("reserve-machines: 12 to read the snapshot, 11 to reserve any number of machines", async () => {
    const keys = redisKeys(uniquePrefix("cost-reserve"));
    await client.zadd(keys.jobsPending, 1, "job-1");
    const month = calendarMonth(Date.now());
    const roomy = { ...LIMITS, maxMachines: 10 };
    const snapshot = await commandsOf(async () =>
      (await readAdmissionSnapshot(own, keys, month, roomy))._unsafeUnwrap(),
    );
    expect(snapshot).toEqual({ time: 1, zrangebyscore: 2, zcard: 1, zcount: 4, hlen: 1, get: 2, hvals: 1 });
    const one = await commandsOf(async () =>
      (await reserveMachines(own, keys, month, roomy, [newMachineId()]))._unsafeUnwrap(),
    );
    const three = await commandsOf(async () =>
      (
        await reserveMachines(own, keys, month, roomy, Array.from({ length: 3 }, newMachineId))
      )._unsafeUnwrap(),
    );
    expect(total(one)).toBe(11);
    expect(three).toEqual(one);
    expect(one).toMatchObject({ zmscore: 1, zremrangebyscore: 2, zcount: 1, incrby: 1, zadd: 2, hvals: 1 });
  });

  it("register 4, heartbeat 3, release 8 (plus the job store's work for any job still held)", async () => {
    const keys = redisKeys(uniquePrefix("cost-lease"));
    const id = newMachineId();
    (await reserveMachines(own, keys, calendarMonth(Date.now()), LIMITS, [id]))._unsafeUnwrap();
    const register = await commandsOf(async () =>
      expect((await registerMachine(own, keys, id, LEASE))._unsafeUnwrap().kind).toBe("from-reservation"),
    );
    expect(register).toEqual({ time: 1, zscore: 1, zrem: 1, zadd: 1 });
    const heartbeat = await commandsOf(async () =>
      (await heartbeatMachine(own, keys, id, 1_000))._unsafeUnwrap(),
    );
    expect(heartbeat).toEqual({ time: 1, zscore: 1, zadd: 1 });
    const release = await commandsOf(async () =>
      expect(
        (
          await releaseMachine(
            own,
            keys,
            jobStore(own, keys),
            POLICY,
            { machineId: id, costUsd: 0.1, stopGraceMs: 5_000 },
            Date.now(),
          )
        )._unsafeUnwrap().released,
      ).toBe(true),
    );
    expect(release).toEqual({
      time: 1,
      zremrangebyscore: 1,
      zrem: 2,
      zadd: 1,
      incrbyfloat: 1,
      hgetall: 1,
      hdel: 1,
    });
  });

  it("sweep-snapshot 5 + one per running job; sweep-release 4 + 3 per machine or reservation removed", async () => {
    const keys = redisKeys(uniquePrefix("cost-sweep"));
    const store = jobStore(own, keys);
    const job = buildJob({});
    (await store.create({ job, meta: { webhookUrl: null, filename: null } }))._unsafeUnwrap();
    const id = newMachineId();
    (await reserveMachines(own, keys, calendarMonth(Date.now()), LIMITS, [id]))._unsafeUnwrap();
    const { expiresAt } = (await registerMachine(own, keys, id, { ...LEASE, leaseMs: 100 }))._unsafeUnwrap();
    expect((await store.claim(id, "lease-cost"))._unsafeUnwrap().kind).toBe("claimed");
    await waitForRedisPast(expiresAt);

    const snapshot = await commandsOf(async () => (await readSweepSnapshot(own, keys))._unsafeUnwrap());
    expect(snapshot).toEqual({ time: 1, zrange: 3, hgetall: 1, hmget: 1 });
    const expire = { type: "expire-lease", leaseToken: "lease-cost", at: expiresAt + 1 } as const;
    expect((await store.transition(job.jobId, expire, POLICY))._unsafeUnwrap().status).toBe("pending");
    const release = await commandsOf(async () =>
      expect(
        (
          await releaseSwept(own, keys, calendarMonth(Date.now()), 1, {
            machineIds: [id],
            reservationIds: [],
            staleEntries: [],
          })
        )._unsafeUnwrap().machinesReleased,
      ).toBe(1),
    );
    expect(release).toEqual({
      time: 1,
      zremrangebyscore: 1,
      zscore: 1,
      zrem: 1,
      hget: 1,
      decrby: 1,
      incrbyfloat: 1,
    });
  });
});
