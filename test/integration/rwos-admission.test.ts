// Admission on a real redis-server: concurrent callers never overshoot the cap, the budget or the spawn window.
import { randomBytes } from "node:crypto";
import { Redis } from "ioredis";
import type { Result } from "neverthrow";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { calendarMonth } from "../../core/month-key.ts";
import {
  type AdmitMachinesError,
  admitMachines,
  type MachineAdmission,
  type MachineAdmissionConfig,
} from "../../shell/redis/admit-machines.ts";
import { ioredisScriptRunner } from "../../shell/redis/ioredis-script-runner.ts";
import { type RedisKeys, redisKeys } from "../../shell/redis/key-schema.ts";
import { readAdmissionSnapshot, reserveMachines } from "../../shell/redis/reserve-machines.ts";
import type { ScriptRunner } from "../../shell/redis/script-runner.ts";
import { uniquePrefix } from "../services/test-namespace.ts";
import { redisClock } from "../support/redis-clock.ts";
import { type RestRunner, startRestRunner } from "../support/upstash-rest-runner.ts";

const CONFIG: MachineAdmissionConfig = {
  maxMachines: 5,
  spawnRate: { maxSpawns: 100, windowMs: 60_000 },
  monthlyBudgetUsd: 1_000,
  machineMaxCostUsd: 1,
  capacityRetryMs: 5_000,
  bootDeadlineMs: 60_000,
};

let redis: Redis;
let runner: ScriptRunner;
beforeAll(() => {
  redis = new Redis(inject("redisUrl"), { maxRetriesPerRequest: 1 });
  runner = ioredisScriptRunner(redis);
});
afterAll(() => redis.quit());

const newMachineId = (): string => `m-${randomBytes(6).toString("hex")}`;
const redisNow = (client: Redis = redis): Promise<number> => redisClock(client).now();

/** A fresh namespace with `pending` jobs waiting (admission only counts the queue, so bare ids suffice). */
const namespace = async (label: string, pending: number): Promise<RedisKeys> => {
  const keys = redisKeys(uniquePrefix(label));
  if (pending > 0) {
    await redis.zadd(keys.jobsPending, ...Array.from({ length: pending }, (_, i) => [i, `job-${i}`]).flat());
  }
  return keys;
};

const admit = (keys: RedisKeys, config: MachineAdmissionConfig = CONFIG, via: ScriptRunner = runner) =>
  admitMachines(via, keys, config, newMachineId, Date.now());

const settle = async (
  calls: PromiseLike<Result<MachineAdmission, AdmitMachinesError>>[],
): Promise<MachineAdmission[]> => (await Promise.all(calls)).map((r) => r._unsafeUnwrap());

const admittedIds = (results: readonly MachineAdmission[]): string[] =>
  results.flatMap((r) => (r.kind === "admit" ? r.machineIds : []));

/** The counter, the reservations ZSET and the rate window must all say the same thing as the returned ids. */
const expectReserved = async (keys: RedisKeys, ids: readonly string[]) => {
  expect(Number(await redis.get(keys.activeMachines))).toBe(ids.length);
  expect((await redis.zrange(keys.workerReservations, 0, -1)).sort()).toEqual([...ids].sort());
  expect((await redis.zrange(keys.rateLimit, 0, -1)).sort()).toEqual([...ids].sort());
};

describe("admission under concurrency", () => {
  it("50 concurrent admissions on one connection reserve exactly the cap; the rest are told to wait", async () => {
    const keys = await namespace("admit-cap", 100);
    const results = await settle(Array.from({ length: 50 }, () => admit(keys)));
    const ids = admittedIds(results);
    expect(ids).toHaveLength(CONFIG.maxMachines);
    expect(new Set(ids).size).toBe(ids.length);
    await expectReserved(keys, ids);
    const others = results.filter((r) => r.kind !== "admit");
    expect(others.length).toBeGreaterThanOrEqual(50 - CONFIG.maxMachines);
    for (const r of others) expect(r).toEqual({ kind: "wait", reason: "at-capacity", retryAfterMs: 5_000 });
  });

  it("50 admissions from five separate connections still reserve exactly the cap", async () => {
    const keys = await namespace("admit-cap-conns", 100);
    const clients = Array.from(
      { length: 5 },
      () => new Redis(inject("redisUrl"), { maxRetriesPerRequest: 1 }),
    );
    try {
      const runners = clients.map((client) => ioredisScriptRunner(client));
      const calls = Array.from({ length: 50 }, (_, i) => admit(keys, CONFIG, runners[i % 5] as ScriptRunner));
      const results = await settle(calls);
      const ids = admittedIds(results);
      expect(ids).toHaveLength(CONFIG.maxMachines);
      await expectReserved(keys, ids);
      expect(results.filter((r) => r.kind === "wait")).toHaveLength(
        50 - results.filter((r) => r.kind === "admit").length,
      );
    } finally {
      await Promise.all(clients.map((client) => client.quit()));
    }
  });

  it("a budget that pays for three machines admits three and rejects the rest as budget-exhausted", async () => {
    const keys = await namespace("admit-budget", 100);
    // A cap far above the budget, so only the budget guard can stop the later reservations.
    const config = { ...CONFIG, maxMachines: 50, monthlyBudgetUsd: 3.5, machineMaxCostUsd: 1 };
    const results = await settle(Array.from({ length: 50 }, () => admit(keys, config)));
    const ids = admittedIds(results);
    expect(ids).toHaveLength(3);
    await expectReserved(keys, ids);
    const rest = results.filter((r) => r.kind !== "admit");
    expect(rest.length).toBeGreaterThan(0);
    for (const r of rest) expect(r.kind === "reject" && r.reason).toBe("budget-exhausted");
  });

  it("50 concurrent admissions under a cap far above the spawn rate start exactly maxSpawns machines", async () => {
    const keys = await namespace("admit-rate-race", 100);
    const config = { ...CONFIG, maxMachines: 50, spawnRate: { maxSpawns: 2, windowMs: 60_000 } };
    const results = await settle(Array.from({ length: 50 }, () => admit(keys, config)));
    const ids = admittedIds(results);
    expect(ids).toHaveLength(2);
    await expectReserved(keys, ids);
    for (const r of results.filter((r) => r.kind !== "admit")) {
      expect(r.kind === "wait" && r.reason).toBe("rate-limited");
    }
  });

  it("counts this month's spend, read in the month Redis says it is, whatever the caller's clock guessed", async () => {
    const keys = await namespace("admit-month", 10);
    const now = await redisNow();
    const thisMonth = calendarMonth(now);
    const lastYear = calendarMonth(thisMonth.startMs - 300 * 86_400_000);
    await redis.set(keys.spend(lastYear.key), "999");
    const config = { ...CONFIG, monthlyBudgetUsd: 10, machineMaxCostUsd: 1 };
    // The guess points at a month whose spend would exhaust the budget; Redis time corrects it.
    const admitted = (
      await admitMachines(runner, keys, config, newMachineId, lastYear.startMs)
    )._unsafeUnwrap();
    expect(admitted.kind).toBe("admit");

    const spent = await namespace("admit-month-spent", 10);
    await redis.set(spent.spend(thisMonth.key), "9.5");
    const refused = (
      await admitMachines(runner, spent, config, newMachineId, lastYear.startMs)
    )._unsafeUnwrap();
    expect(refused.kind === "reject" && refused.reason).toBe("budget-exhausted");
    expect(await redis.get(spent.activeMachines)).toBeNull();
  });
});

describe("admission decisions", () => {
  it("the spawn window: a second admission right after the first waits at most one window", async () => {
    const keys = await namespace("admit-rate", 5);
    const config = { ...CONFIG, spawnRate: { maxSpawns: 1, windowMs: 1_000 } };
    const first = (await admit(keys, config))._unsafeUnwrap();
    expect(first.kind === "admit" && first.machineIds).toHaveLength(1);
    const second = (await admit(keys, config))._unsafeUnwrap();
    if (second.kind !== "wait") throw new Error(`expected wait, got ${JSON.stringify(second)}`);
    expect(second.reason).toBe("rate-limited");
    expect(second.retryAfterMs).toBeGreaterThan(0);
    expect(second.retryAfterMs).toBeLessThanOrEqual(1_000);
    expect(Number(await redis.get(keys.activeMachines))).toBe(1);
  });

  it("needs no machine when nothing is pending, and none beyond the jobs waiting", async () => {
    const idle = await namespace("admit-idle", 0);
    expect((await admit(idle))._unsafeUnwrap()).toEqual({ kind: "none-needed" });
    expect(await redis.exists(idle.activeMachines, idle.workerReservations)).toBe(0);

    const two = await namespace("admit-two", 2);
    const admitted = (await admit(two))._unsafeUnwrap();
    expect(admitted.kind === "admit" && admitted.machineIds).toHaveLength(2);
    // Both jobs are covered by machines still booting.
    expect((await admit(two))._unsafeUnwrap()).toEqual({ kind: "none-needed" });
  });

  it("expired reservations the sweep has not removed yet still hold their slots and their cost", async () => {
    const keys = await namespace("admit-dead", 100);
    const config = { ...CONFIG, maxMachines: 3, bootDeadlineMs: 50 };
    const first = (await admit(keys, config))._unsafeUnwrap();
    expect(first.kind === "admit" && first.machineIds).toHaveLength(3);
    const deadline = first.kind === "admit" ? first.bootDeadline : 0;
    while ((await redisNow()) <= deadline) await new Promise((r) => setTimeout(r, 20));

    const snapshot = (
      await readAdmissionSnapshot(runner, keys, calendarMonth(await redisNow()), {
        ...config,
        maxSpawns: 100,
        windowMs: 60_000,
      })
    )._unsafeUnwrap();
    expect(snapshot).toMatchObject({ liveReservations: 0, slotsTaken: 3, pendingJobs: 100 });
    expect((await admit(keys, config))._unsafeUnwrap()).toEqual({
      kind: "wait",
      reason: "at-capacity",
      retryAfterMs: 5_000,
    });
    // With room in the cap, the three dead slots still count against a budget of four machines.
    const roomy = { ...config, maxMachines: 10, monthlyBudgetUsd: 4 };
    const more = (await admit(keys, roomy))._unsafeUnwrap();
    expect(more.kind === "admit" && more.machineIds).toHaveLength(1);
  });
});

describe("reserve-machines guards", () => {
  const limits = { ...CONFIG, maxSpawns: 100, windowMs: 60_000 };

  it("a retried reservation with the same ids is a replay; a partly reused id set is refused", async () => {
    const keys = await namespace("reserve-replay", 0);
    const month = calendarMonth(await redisNow());
    const ids = [newMachineId(), newMachineId()];
    const first = (await reserveMachines(runner, keys, month, limits, ids))._unsafeUnwrap();
    expect(first.replayed).toBe(false);
    const again = (await reserveMachines(runner, keys, month, limits, ids))._unsafeUnwrap();
    expect(again).toEqual({ bootDeadline: first.bootDeadline, replayed: true });
    await expectReserved(keys, ids);

    const mixed = await reserveMachines(runner, keys, month, limits, [ids[0] as string, newMachineId()]);
    expect(mixed._unsafeUnwrapErr().kind).toBe("machine-id-taken");
    await expectReserved(keys, ids);
  });

  it("refuses past the cap with a fresh snapshot, writing nothing", async () => {
    const keys = await namespace("reserve-cap", 7);
    const month = calendarMonth(await redisNow());
    const ids = Array.from({ length: 6 }, newMachineId);
    const refused = (await reserveMachines(runner, keys, month, limits, ids))._unsafeUnwrapErr();
    if (refused.kind !== "admission-conflict") throw new Error(`expected a conflict, got ${refused.kind}`);
    expect(refused.guard).toBe("capacity");
    expect(refused.snapshot).toMatchObject({ pendingJobs: 7, slotsTaken: 0, liveReservations: 0 });
    expect(await redis.exists(keys.activeMachines, keys.workerReservations, keys.rateLimit)).toBe(0);
  });

  it("refuses a month that is not Redis's, telling the caller Redis's time", async () => {
    const keys = await namespace("reserve-month", 1);
    const now = await redisNow();
    const nextMonth = calendarMonth(calendarMonth(now).endMs);
    const refused = await reserveMachines(runner, keys, nextMonth, limits, [newMachineId()]);
    const error = refused._unsafeUnwrapErr();
    expect(error.kind === "month-changed" && error.now).toBeGreaterThanOrEqual(now);
    expect(await redis.exists(keys.activeMachines)).toBe(0);
  });
});

describe("admission over the Upstash REST protocol", () => {
  let bridge: RestRunner;
  let rest: ScriptRunner;
  beforeAll(async () => {
    bridge = await startRestRunner(inject("redisUrl"));
    rest = bridge.runner;
  });
  afterAll(() => bridge?.close());

  it("20 concurrent admissions through @upstash/redis reserve exactly the cap", async () => {
    const keys = await namespace("admit-rest", 50);
    const config = { ...CONFIG, maxMachines: 3 };
    const results = await settle(Array.from({ length: 20 }, () => admit(keys, config, rest)));
    const ids = admittedIds(results);
    expect(ids).toHaveLength(3);
    await expectReserved(keys, ids);
    expect(results.filter((r) => r.kind === "wait").length).toBe(
      results.length - results.filter((r) => r.kind === "admit").length,
    );
  });

  it("decodes the snapshot over REST exactly as over RESP", async () => {
    const keys = await namespace("snapshot-rest", 4);
    await redis.set(keys.spend(calendarMonth(await redisNow()).key), "1.25");
    await admit(keys, { ...CONFIG, maxMachines: 2 });
    const month = calendarMonth(await redisNow());
    const limits = { ...CONFIG, maxSpawns: 100, windowMs: 60_000 };
    const viaRest = (await readAdmissionSnapshot(rest, keys, month, limits))._unsafeUnwrap();
    const viaResp = (await readAdmissionSnapshot(runner, keys, month, limits))._unsafeUnwrap();
    expect(viaRest).toMatchObject({ pendingJobs: 4, liveReservations: 2, slotsTaken: 2, spentUsd: 1.25 });
    expect(viaRest.recentSpawns).toHaveLength(2);
    expect({ ...viaRest, now: 0 }).toEqual({ ...viaResp, now: 0 });
  });
});
