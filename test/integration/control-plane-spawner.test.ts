// The spawner and the cron against the fake Fly Machines API with injected faults: every reserved slot ends up
// with exactly one machine or is given back, and after a cron run no machine lacks a lease or reservation.
import { randomBytes } from "node:crypto";
import { afterEach, describe, expect, it } from "vitest";
import { runCron } from "../../shell/control-plane/cron/run-cron.ts";
import { intakeUploadEvent } from "../../shell/control-plane/intake/intake-upload-event.ts";
import { admitAndSpawn } from "../../shell/control-plane/machines/admit-and-spawn.ts";
import type { FakeFlyFaults } from "../../shell/fly-fake/start-fake-fly-api.ts";
import { type Harness, keysOf, nonce, r2Event, startHarness } from "./control-plane-harness.ts";

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const start = async (overrides: Record<string, string> = {}, faults: FakeFlyFaults = {}) => {
  h = await startHarness("cp-spawn", { RESPAWN_AFTER_MS: "1000", ...overrides });
  h.fly.setFaults(faults);
  return h;
};

/** A job whose upload landed: pending in the queue. */
const pendingJob = async (harness: Harness, preset = "web-optimized") => {
  const body = await (
    await harness.api("/api/upload", { method: "POST", json: { filename: "in.mp4", preset, size: 256 } })
  ).json();
  const bytes = randomBytes(256);
  expect(
    (await fetch(body.uploadUrl, { method: "PUT", headers: body.uploadHeaders, body: bytes })).status,
  ).toBe(200);
  expect(
    (await intakeUploadEvent(harness.deps, r2Event(harness, body.inputKey, 256)))._unsafeUnwrap().kind,
  ).toBe("enqueued");
  return { jobId: body.jobId as string, bytes };
};

const live = (harness: Harness) => harness.fly.machines().filter((m) => m.state !== "destroyed");
const tagOf = (machine: { config: { metadata?: Readonly<Record<string, string>> } }) =>
  machine.config.metadata?.tcoder_tag as string;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const slots = async (harness: Harness) => {
  const keys = keysOf(harness);
  const [counter, leases, reservations, exiting] = await Promise.all([
    harness.redis.get(keys.activeMachines),
    harness.redis.zrange(keys.workerLeases, 0, -1),
    harness.redis.zrange(keys.workerReservations, 0, -1),
    harness.redis.zrange(keys.workerExiting, 0, -1),
  ]);
  return { counter: Number(counter ?? 0), leases, reservations, exiting };
};

/** No leaked slot (the counter equals what holds slots) and no orphan (every live machine is accounted for). */
const expectConsistent = async (harness: Harness) => {
  const s = await slots(harness);
  expect(s.counter).toBe(s.leases.length + s.reservations.length + s.exiting.length);
  const owners = new Set([...s.leases, ...s.reservations, ...s.exiting]);
  const machines = live(harness);
  for (const machine of machines) expect(owners.has(tagOf(machine))).toBe(true);
  const tags = machines.map(tagOf);
  expect(new Set(tags).size).toBe(tags.length);
  return s;
};

describe("nudging idle machines", () => {
  const signals = (harness: Harness) =>
    harness.fly
      .requests()
      .filter((r) => r.operationId === "Machines_signal")
      .map((r) => ({ url: r.url, body: r.body, status: r.status }));

  it("signals an idle machine's worker (SIGUSR1) when work waits, one machine per claimable job, never a busy one", async () => {
    const harness = await start({ MAX_MACHINES: "2" });
    const first = await pendingJob(harness);
    expect((await admitAndSpawn(harness.deps)).kind).toBe("admitted");
    const [machine] = live(harness);
    if (!machine) throw new Error("no machine");
    // Its worker boots and takes the job: a busy machine is never nudged.
    (await harness.deps.machines.register(tagOf(machine)))._unsafeUnwrap();
    const claimed = (await harness.deps.jobs.claim(tagOf(machine), "lease-nudge"))._unsafeUnwrap();
    expect(claimed.kind === "claimed" && claimed.job.jobId).toBe(first.jobId);
    expect(signals(harness)).toEqual([]);

    // The job is done; the worker idles in its poll backoff. Two uploads land: one nudge (one idle machine), and
    // admission starts a second machine for the other job.
    const done = {
      type: "complete",
      leaseToken: "lease-nudge",
      outputs: [],
      costUsd: 0,
      machineSeconds: 1,
      at: Date.now(),
    } as const;
    (await harness.deps.jobs.transition(first.jobId, done, harness.deps.config.retryPolicy))._unsafeUnwrap();
    await pendingJob(harness);
    await pendingJob(harness);
    expect((await admitAndSpawn(harness.deps)).kind).toBe("admitted");
    expect(signals(harness)).toEqual([
      {
        url: `/v1/apps/${harness.deps.config.fly.appName}/machines/${machine.id}/signal`,
        body: { signal: "SIGUSR1" },
        status: 200,
      },
    ]);
    // Nothing waits any more once both are claimed: no further nudges.
    for (const id of live(harness).map(tagOf)) {
      if (id !== tagOf(machine)) (await harness.deps.machines.register(id))._unsafeUnwrap();
      (await harness.deps.jobs.claim(id, `lease-${id}`))._unsafeUnwrap();
    }
    await admitAndSpawn(harness.deps);
    expect(signals(harness)).toHaveLength(1);
  });
});

describe("spawning", () => {
  it("creates one tagged machine per admitted slot", async () => {
    const harness = await start({ MAX_MACHINES: "2" });
    await pendingJob(harness);
    await pendingJob(harness);
    await pendingJob(harness);
    const report = await admitAndSpawn(harness.deps);
    expect(report.kind).toBe("admitted");
    expect(live(harness)).toHaveLength(2);
    const s = await expectConsistent(harness);
    expect(s.reservations.sort()).toEqual(live(harness).map(tagOf).sort());
    // At the cap: admission waits instead of spawning more.
    expect((await admitAndSpawn(harness.deps)).kind).toBe("wait");
  });

  it("gives the slot back when Fly has no capacity", async () => {
    const harness = await start({}, { create: [{ kind: "capacity" }] });
    await pendingJob(harness);
    const report = await admitAndSpawn(harness.deps);
    expect(report).toMatchObject({ kind: "admitted", machines: [{ kind: "released" }] });
    expect(live(harness)).toHaveLength(0);
    expect(await expectConsistent(harness)).toMatchObject({ counter: 0 });
  });

  it("rides out a 429 and an ambiguous 503 whose machine exists: one machine, found by its tag", async () => {
    const harness = await start(
      {},
      {
        create: [
          { kind: "rate-limited", retryAfterSeconds: 0 },
          { kind: "server-error", status: 503, effect: "applied" },
        ],
      },
    );
    await pendingJob(harness);
    const report = await admitAndSpawn(harness.deps);
    expect(report).toMatchObject({ kind: "admitted", machines: [{ kind: "spawned" }] });
    expect(live(harness)).toHaveLength(1);
    await expectConsistent(harness);
  });

  it("keeps the reservation after an unresolved ambiguous create; the cron creates the machine by tag, once", async () => {
    const harness = await start(
      { FLY_RETRIES: "0" },
      { create: [{ kind: "server-error", status: 503, effect: "dropped" }] },
    );
    await pendingJob(harness);
    const report = await admitAndSpawn(harness.deps);
    expect(report).toMatchObject({ kind: "admitted", machines: [{ kind: "uncertain" }] });
    const [reserved] = (await slots(harness)).reservations;
    expect(reserved).toBeDefined();
    expect(live(harness)).toHaveLength(0);

    await sleep(1100);
    const cron = await runCron(harness.deps);
    expect(cron.respawned).toEqual([reserved]);
    expect(live(harness).map(tagOf)).toEqual([reserved]);
    await expectConsistent(harness);
  });

  it("leaves an ambiguous create alone when its machine did appear", async () => {
    const harness = await start(
      { FLY_RETRIES: "0" },
      { create: [{ kind: "server-error", status: 502, effect: "applied" }] },
    );
    await pendingJob(harness);
    expect(await admitAndSpawn(harness.deps)).toMatchObject({ machines: [{ kind: "uncertain" }] });
    await sleep(1100);
    const cron = await runCron(harness.deps);
    expect(cron.respawned).toEqual([]);
    expect(cron.orphansDestroyed).toEqual([]);
    expect(live(harness)).toHaveLength(1);
    await expectConsistent(harness);
  });
});

describe("the cron", () => {
  it("destroys machines no lease or reservation accounts for, and keeps the rest", async () => {
    const harness = await start();
    await pendingJob(harness);
    await admitAndSpawn(harness.deps);
    const owned = live(harness);
    expect(owned).toHaveLength(1);
    const orphan = (
      await harness.deps.fly.spawnMachine({
        image: "registry.fly.io/tcoder-worker:test",
        region: "ord",
        guest: { cpuKind: "shared", cpus: 1, memoryMb: 512 },
        env: {},
        tag: `m_orphan_${nonce()}`,
      })
    )._unsafeUnwrap().machine;

    const cron = await runCron(harness.deps);
    expect(cron.orphansDestroyed).toEqual([orphan.id]);
    expect(live(harness).map((m) => m.id)).toEqual(owned.map((m) => m.id));
    await expectConsistent(harness);
  });

  it("frees, at no cost, a reservation whose machine never appeared by its boot deadline", async () => {
    const harness = await start(
      { FLY_RETRIES: "0", BOOT_DEADLINE_MS: "1000", RESPAWN_AFTER_MS: "60000" },
      {
        create: [{ kind: "server-error", status: 503, effect: "dropped" }, { kind: "capacity" }],
      },
    );
    await pendingJob(harness);
    await admitAndSpawn(harness.deps);
    const [reserved] = (await slots(harness)).reservations;
    await sleep(1100);
    const cron = await runCron(harness.deps);
    expect(cron.reservationsFreed).toEqual([reserved]);
    // The cron's own admission met the capacity fault and gave that slot back too: nothing held, nothing spent.
    expect(cron.spawn).toMatchObject({ kind: "admitted", machines: [{ kind: "released" }] });
    const spend = await harness.redis.keys(`${harness.prefix}counters:spend:*`);
    const spent = await Promise.all(spend.map((key) => harness.redis.get(key)));
    expect(spent.every((value) => Number(value ?? 0) === 0)).toBe(true);
    expect(await expectConsistent(harness)).toMatchObject({ counter: 0 });
  });

  it("after a storm of 429s, 5xx and capacity errors, a cron run leaves no leaked slot and no orphan", async () => {
    const harness = await start(
      { MAX_MACHINES: "4", FLY_RETRIES: "1", SPAWN_RATE_MAX: "4" },
      {
        create: [
          { kind: "rate-limited", retryAfterSeconds: null },
          { kind: "server-error", status: 500, effect: "applied-after-next-list" },
          { kind: "capacity" },
          { kind: "server-error", status: 503, effect: "dropped" },
          { kind: "server-error", status: 504, effect: "applied" },
          { kind: "server-error", status: 503, effect: "dropped" },
          { kind: "server-error", status: 503, effect: "dropped" },
        ],
        list: [{ kind: "server-error", status: 503, effect: "dropped" }],
      },
    );
    for (let i = 0; i < 4; i++) await pendingJob(harness);
    await admitAndSpawn(harness.deps);
    await sleep(1100);
    await runCron(harness.deps);
    await runCron(harness.deps);
    const s = await expectConsistent(harness);
    // Every reservation still held has its machine by now.
    expect(new Set(live(harness).map(tagOf))).toEqual(new Set(s.reservations));
    expect(harness.fly.violations()).toEqual([]);
  });
});

describe("single-job mode", () => {
  it("claims a job for the machine and hands it presigned input/output URLs; the final callback frees the slot", async () => {
    const harness = await start({ SPAWN_MODE: "single-job", MACHINE_STOP_GRACE_MS: "300" });
    const { jobId, bytes } = await pendingJob(harness, "mobile");
    const report = await admitAndSpawn(harness.deps);
    expect(report).toMatchObject({ kind: "admitted", machines: [{ kind: "spawned" }] });
    const [machine] = live(harness);
    if (!machine) throw new Error("no machine");
    const env = machine.config.env as Record<string, string>;
    expect(env).toMatchObject({ JOB_ID: jobId, PRESET: "mobile", TCODER_MACHINE_ID: tagOf(machine) });
    expect(env.LEASE_TOKEN).toMatch(/^lease_/);
    const input = Buffer.from(await (await fetch(env.INPUT_URL as string)).arrayBuffer());
    expect(input.equals(bytes)).toBe(true);
    expect(env.OUTPUT_URL).toContain(`/outputs/${jobId}/mobile/video.mp4`);
    expect((await harness.api(`/api/jobs/${jobId}`).then((r) => r.json())).status).toBe("running");
    expect((await slots(harness)).leases).toEqual([env.TCODER_MACHINE_ID]);

    // A single-job worker reports keys relative to its output prefix, as worker-image does.
    const completion = (key: string) =>
      JSON.stringify({
        jobId,
        leaseToken: env.LEASE_TOKEN,
        machineId: env.TCODER_MACHINE_ID,
        sentAt: Date.now(),
        nonce: nonce(),
        kind: "completed",
        outputs: [{ type: "video", key, contentType: "video/mp4", size: 10 }],
        costUsd: 0.001,
        machineSeconds: 4,
      });
    for (const climbing of ["../../other/video.mp4", `outputs/${jobId}/../x.mp4`]) {
      expect((await harness.signed("/internal/callbacks", completion(climbing))).status, climbing).toBe(400);
    }
    expect((await harness.signed("/internal/callbacks", completion("video.mp4"))).status).toBe(200);
    await harness.drain();
    const done = await harness.api(`/api/jobs/${jobId}`).then((r) => r.json());
    expect(done.status).toBe("completed");
    expect(done.outputs[0].url).toContain(`/outputs/${jobId}/mobile/video.mp4`);
    // The final report gives the lease up; the slot stays taken while the machine stops (its stop grace).
    expect(await expectConsistent(harness)).toMatchObject({
      counter: 1,
      leases: [],
      exiting: [env.TCODER_MACHINE_ID],
    });
    // The worker process exits after its report; auto_destroy removes the machine; after the grace the cron's
    // sweep frees the slot.
    harness.fly.markExited(machine.id, 0);
    await new Promise((resolve) => setTimeout(resolve, 400));
    await runCron(harness.deps);
    expect(await expectConsistent(harness)).toMatchObject({ counter: 0, leases: [], exiting: [] });
  });
});
