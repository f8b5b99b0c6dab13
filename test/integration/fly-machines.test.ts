// The Fly Machines adapter against the fake Machines API over real HTTP; the fake checks every exchange against Fly's spec.
import { randomBytes } from "node:crypto";
import { afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { SpawnMachineRequest } from "../../shell/fly/build-create-machine-body.ts";
import { createFlyMachines, type FlyMachines } from "../../shell/fly/create-fly-machines.ts";
import type { FlyConfigInput } from "../../shell/fly/fly-config.ts";
import { loadFlyMachinesSpec } from "../../shell/fly-fake/load-fly-machines-spec.ts";
import {
  type FakeFlyApi,
  type FakeFlyApiOptions,
  type FakeFlyMachine,
  startFakeFlyApi,
} from "../../shell/fly-fake/start-fake-fly-api.ts";

const APP = "tcoder-test";
const TOKEN = randomBytes(16).toString("hex");
const REQUEST: SpawnMachineRequest = {
  image: "registry.fly.io/tcoder-worker:test",
  region: "ord",
  guest: { cpuKind: "performance", cpus: 2, memoryMb: 4096 },
  env: { LOG_LEVEL: "debug" },
  tag: "job-1.a1",
};

let spec: unknown;
let fake: FakeFlyApi;
let expectViolations: boolean;

beforeAll(async () => {
  spec = await loadFlyMachinesSpec();
});

const launchFake = (options: Partial<FakeFlyApiOptions> = {}) =>
  startFakeFlyApi({ appName: APP, token: TOKEN, spec, ...options });

/** Replaces this test's fake with one built with `options`. */
const startFake = async (options: Partial<FakeFlyApiOptions>) => {
  await fake.close();
  fake = await launchFake(options);
};

beforeEach(async () => {
  expectViolations = false;
  fake = await launchFake();
});

afterEach(async () => {
  // close() throws if the fake ever sent a response that breaks the spec.
  await fake.close();
  if (!expectViolations) expect(fake.violations()).toEqual([]);
});

const fly = (config: Partial<FlyConfigInput> = {}): FlyMachines =>
  createFlyMachines({
    baseUrl: fake.url,
    appName: APP,
    token: TOKEN,
    requestTimeoutMs: 5_000,
    retry: { retries: 3, minTimeoutMs: 1, maxTimeoutMs: 5, maxRetryAfterMs: 1_000 },
    now: Date.now,
    ...config,
  });

const calls = (operationId: string) =>
  fake.requests().filter((request) => request.operationId === operationId);
const statuses = (operationId: string) => calls(operationId).map((request) => request.status);
const live = () => fake.machines().filter((machine) => machine.state !== "destroyed");

const post = (path: string, body: unknown, token = TOKEN) =>
  fetch(`${fake.url}/apps/${APP}${path}`, {
    method: "POST",
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    body: JSON.stringify(body),
  });
const get = (path: string) =>
  fetch(`${fake.url}/apps/${APP}${path}`, { headers: { authorization: `Bearer ${TOKEN}` } });

const deferred = () => {
  let resolve!: () => void;
  let reject!: (error: Error) => void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
};

describe("create", () => {
  it("spawns one run-once machine whose create request the spec accepts", async () => {
    const spawned = (await fly().spawnMachine(REQUEST))._unsafeUnwrap();

    expect(spawned).toMatchObject({ via: "created", duplicates: { kind: "not-needed" } });
    expect(spawned.machine).toMatchObject({
      tag: "job-1.a1",
      region: "ord",
      image: REQUEST.image,
      state: "created",
    });
    expect(statuses("Machines_create")).toEqual([200]);
    expect(fake.machines()).toHaveLength(1);
    expect(fake.machines()[0]?.config).toEqual({
      image: REQUEST.image,
      env: { LOG_LEVEL: "debug" },
      guest: { cpu_kind: "performance", cpus: 2, memory_mb: 4096 },
      metadata: { tcoder_tag: "job-1.a1", tcoder_guest: "performance-2x-4096" },
      auto_destroy: true,
      restart: { policy: "no" },
      stop_config: { signal: "SIGTERM", timeout: "60s" },
    });
  });

  it("starts a job machine with JOB_ID, INPUT_URL, OUTPUT_URL and PRESET", async () => {
    const job = {
      jobId: "job-7",
      inputUrl: "https://r2.example/in.mp4?sig=1",
      outputUrl: "https://r2.example/out/?sig=2",
      preset: "hls",
      image: REQUEST.image,
      region: "ams",
      guest: { cpuKind: "shared", cpus: 1, memoryMb: 1024 },
      tag: "job-7.a1",
      env: { JOB_ID: "overridden", CALLBACK_URL: "https://cp.example/report" },
    } as const;
    const spawned = (await fly().executeTranscodeJob(job))._unsafeUnwrap();

    const config = fake.machines()[0]?.config;
    expect(config?.env).toEqual({
      CALLBACK_URL: "https://cp.example/report",
      JOB_ID: "job-7",
      INPUT_URL: job.inputUrl,
      OUTPUT_URL: job.outputUrl,
      PRESET: "hls",
    });
    expect(config?.metadata).toMatchObject({ tcoder_tag: "job-7.a1", tcoder_job_id: "job-7" });
    expect(spawned.machine.region).toBe("ams");
  });

  it("rejects a create without config.image with 400 and records it", async () => {
    expectViolations = true;
    const response = await post("/machines", { region: "ord", config: { env: { A: "1" } } });

    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: string }).error).toMatch(/config\.image/);
    expect(fake.violations()).toMatchObject([{ operationId: "Machines_create", source: "fly-rule" }]);
    expect(fake.violations()[0]?.violations).toEqual([
      { path: "$.config.image", message: "config.image is required (a non-empty image reference)" },
    ]);
    expect(fake.machines()).toEqual([]);
  });

  it("rejects a request that breaks the spec with 400 and records the violation", async () => {
    expectViolations = true;
    const response = await post("/machines", {
      config: { image: "i", guest: { cpus: "two" }, auto_destroy: "yes" },
    });

    expect(response.status).toBe(400);
    expect(fake.violations()).toHaveLength(1);
    expect(fake.violations()[0]).toMatchObject({
      operationId: "Machines_create",
      method: "POST",
      source: "spec",
    });
    expect(fake.violations()[0]?.violations).toEqual([
      { path: "$.config.guest.cpus", message: "expected integer, got string" },
      { path: "$.config.auto_destroy", message: "expected boolean, got string" },
    ]);
    expect(fake.machines()).toEqual([]);
  });

  it("rejects a stop timeout Fly's duration parser would not read, at create and at stop", async () => {
    expectViolations = true;
    const response = await post("/machines", {
      config: { image: "i", stop_config: { signal: "SIGTERM", timeout: "60" } },
    });
    expect(response.status).toBe(400);
    const machine = (await fly().spawnMachine(REQUEST))._unsafeUnwrap().machine;
    fake.markStarted(machine.id);
    expect((await post(`/machines/${machine.id}/stop`, { timeout: "soon" })).status).toBe(400);
    expect(fake.violations().map((v) => [v.source, v.violations[0]?.message])).toEqual([
      ["fly-rule", 'invalid stop timeout "60"'],
      ["fly-rule", 'invalid stop timeout "soon"'],
    ]);
  });

  it("stops a started machine with its stop_config, or Fly's SIGINT and 5 s when it has none", async () => {
    const stops: [string, string, number][] = [];
    await startFake({
      onStop: (machine, settings) => void stops.push([machine.id, settings.signal, settings.timeoutMs]),
    });
    const ours = (await fly().spawnMachine(REQUEST))._unsafeUnwrap().machine;
    const bare = await post("/machines", { region: "ord", config: { image: "i" } });
    const bareId = ((await bare.json()) as { id: string }).id;
    for (const id of [ours.id, bareId]) fake.markStarted(id);

    expect((await post(`/machines/${ours.id}/stop`, {})).status).toBe(200);
    expect((await post(`/machines/${bareId}/stop`, {})).status).toBe(200);
    expect(stops).toEqual([
      [ours.id, "SIGTERM", 60_000],
      [bareId, "SIGINT", 5_000],
    ]);
    expect(fake.machines().map((m) => m.state)).toEqual(["stopping", "stopping"]);
    // Stopping a machine that is not started is refused, as Fly does.
    expect((await post(`/machines/${ours.id}/stop`, {})).status).toBe(400);
    fake.markExited(ours.id, 0);
    expect(fake.machines()[0]?.events[0]).toMatchObject({ type: "destroy" });
    expect(fake.machines()[0]?.events[1]?.request).toMatchObject({ exit_event: { requested_stop: true } });
  });

  it("rejects an unknown wait state and a wait for stopped without a version", async () => {
    expectViolations = true;
    const machine = (await fly().spawnMachine(REQUEST))._unsafeUnwrap().machine;

    expect((await get(`/machines/${machine.id}/wait?state=running`)).status).toBe(400);
    expect((await get(`/machines/${machine.id}/wait?state=stopped&timeout=1`)).status).toBe(400);
    expect(fake.violations().map((v) => [v.source, v.violations[0]?.path])).toEqual([
      ["spec", "query.state"],
      ["fly-rule", "query.version"],
    ]);
  });
});

describe("look-ups", () => {
  it("finds machines by tag with the metadata query, and lists only TCoder's machines for the cron", async () => {
    const api = fly();
    const a = (await api.spawnMachine({ ...REQUEST, tag: "tag-a" }))._unsafeUnwrap().machine;
    const b = (await api.spawnMachine({ ...REQUEST, tag: "tag-b" }))._unsafeUnwrap().machine;
    expect((await post("/machines", { config: { image: "someone-elses" } })).status).toBe(200);

    const found = (await api.findMachinesByTag("tag-a"))._unsafeUnwrap();
    expect(found.map((m) => [m.id, m.tag])).toEqual([[a.id, "tag-a"]]);
    expect(calls("Machines_list").at(-1)?.url).toBe(`/v1/apps/${APP}/machines?metadata.tcoder_tag=tag-a`);

    const tcoder = (await api.listTcoderMachines())._unsafeUnwrap();
    expect(tcoder.map((m) => m.id)).toEqual([a.id, b.id]);
    expect(fake.machines()).toHaveLength(3);
  });

  it("answers not-found for an unknown machine", async () => {
    expect((await fly().getMachine("f1nonexistent"))._unsafeUnwrapErr()).toEqual({ kind: "not-found" });
  });

  it("retries a read that failed with a 500", async () => {
    const api = fly();
    const machine = (await api.spawnMachine(REQUEST))._unsafeUnwrap().machine;
    fake.setFaults({ get: [{ kind: "server-error", status: 500, effect: "dropped" }] });

    expect((await api.getMachine(machine.id))._unsafeUnwrap().id).toBe(machine.id);
    expect(statuses("Machines_show")).toEqual([500, 200]);
  });
});

describe("destroy", () => {
  it("destroys with force; then the machine is gone", async () => {
    const api = fly();
    const machine = (await api.spawnMachine(REQUEST))._unsafeUnwrap().machine;
    expect((await api.waitForState(machine.id, "started", 5))._unsafeUnwrap()).toEqual({
      kind: "reached",
      state: "started",
    });

    expect((await api.destroyMachine(machine.id, { force: true })).isOk()).toBe(true);
    expect(calls("Machines_delete")[0]?.url).toBe(`/v1/apps/${APP}/machines/${machine.id}?force=true`);
    expect((await api.getMachine(machine.id))._unsafeUnwrapErr()).toEqual({ kind: "not-found" });
    expect((await api.destroyMachine(machine.id, { force: true }))._unsafeUnwrapErr()).toEqual({
      kind: "not-found",
    });
    expect(fake.machines().map((m) => m.state)).toEqual(["destroyed"]);
  });

  it("refuses to destroy a running machine without force", async () => {
    const api = fly();
    const machine = (await api.spawnMachine(REQUEST))._unsafeUnwrap().machine;
    await api.waitForState(machine.id, "started", 5);

    expect((await api.destroyMachine(machine.id, { force: false }))._unsafeUnwrapErr()).toMatchObject({
      kind: "rejected",
      status: 412,
    });
    expect(live()).toHaveLength(1);
  });
});

describe("wait and exit", () => {
  it("times out a wait with 408, reported as timed-out", async () => {
    const api = fly();
    const machine = (await api.spawnMachine(REQUEST))._unsafeUnwrap().machine;

    expect((await api.waitForState(machine.id, "destroyed", 1))._unsafeUnwrap()).toEqual({
      kind: "timed-out",
    });
    expect(statuses("Machines_wait")).toEqual([408]);
  });

  it("auto-destroys a run-once machine when its process exits, recording the exit code", async () => {
    const api = fly();
    const machine = (await api.spawnMachine(REQUEST))._unsafeUnwrap().machine;
    await api.waitForState(machine.id, "started", 5);
    const waiting = api.waitForState(machine.id, "destroyed", 30);

    expect(fake.markExited(machine.id, 0)).toMatchObject({ ok: true });
    expect((await waiting)._unsafeUnwrap()).toEqual({ kind: "reached", state: "destroyed" });
    expect((await api.getMachine(machine.id))._unsafeUnwrapErr()).toEqual({ kind: "not-found" });
    const events = fake.machines()[0]?.events ?? [];
    expect(events.map((e) => e.type)).toEqual(["destroy", "exit", "start", "launch"]);
    expect(events[1]?.request).toMatchObject({ exit_event: { exit_code: 0 } });
    expect(fake.markExited(machine.id, 0)).toMatchObject({ ok: false, reason: "unknown-machine" });
  });

  it("reads the exit code of a stopped machine, looking up the version a wait for stopped needs", async () => {
    const created = await post("/machines", { config: { image: "i", restart: { policy: "no" } } });
    const id = ((await created.json()) as FakeFlyMachine).id;
    const api = fly();
    await api.waitForState(id, "started", 5);
    fake.markExited(id, 3);

    expect((await api.waitForState(id, "stopped", 5))._unsafeUnwrap()).toEqual({
      kind: "reached",
      state: "stopped",
    });
    expect(calls("Machines_wait").at(-1)?.url).toMatch(/state=stopped&timeout=5&version=01FAKEVERSION/);
    expect((await api.getMachine(id))._unsafeUnwrap()).toMatchObject({ state: "stopped", exitCode: 3 });
  });
});

describe("transient failures on create", () => {
  it("waits out a 429 and retries: one machine", async () => {
    fake.setFaults({ create: [{ kind: "rate-limited", retryAfterSeconds: 0 }] });
    const spawned = (await fly().spawnMachine(REQUEST))._unsafeUnwrap();

    expect(spawned.via).toBe("created");
    expect(statuses("Machines_create")).toEqual([429, 200]);
    expect(fake.machines()).toHaveLength(1);
    expect(fake.pendingFaults().create).toBe(0);
  });

  it("hands a Retry-After longer than it may wait back to the caller", async () => {
    fake.setFaults({ create: [{ kind: "rate-limited", retryAfterSeconds: 120 }] });
    const error = (await fly().spawnMachine(REQUEST))._unsafeUnwrapErr();

    expect(error).toEqual({ kind: "rate-limited", retryAfterMs: 120_000 });
    expect(statuses("Machines_create")).toEqual([429]);
    expect(fake.machines()).toEqual([]);
  });

  it("after a 503 on a create that took effect, finds the machine by tag instead of creating another", async () => {
    fake.setFaults({ create: [{ kind: "server-error", status: 503, effect: "applied" }] });
    const spawned = (await fly().spawnMachine(REQUEST))._unsafeUnwrap();

    expect(spawned).toMatchObject({ via: "found-by-tag", duplicates: { kind: "checked", destroyed: [] } });
    expect(statuses("Machines_create")).toEqual([503]);
    expect(fake.machines()).toHaveLength(1);
    expect(spawned.machine.id).toBe(fake.machines()[0]?.id);
  });

  it("after a create that timed out but took effect, finds the machine by tag", async () => {
    fake.setFaults({ create: [{ kind: "hang", effect: "applied" }] });
    const spawned = (await fly({ requestTimeoutMs: 300 }).spawnMachine(REQUEST))._unsafeUnwrap();

    expect(spawned.via).toBe("found-by-tag");
    expect(statuses("Machines_create")).toEqual(["hung"]);
    expect(fake.machines()).toHaveLength(1);
    expect(spawned.machine.id).toBe(fake.machines()[0]?.id);
  });

  it("after a 503 on a create that did not take effect, looks, finds nothing, creates once", async () => {
    fake.setFaults({ create: [{ kind: "server-error", status: 503, effect: "dropped" }] });
    const spawned = (await fly().spawnMachine(REQUEST))._unsafeUnwrap();

    expect(spawned.via).toBe("created");
    expect(statuses("Machines_create")).toEqual([503, 200]);
    expect(calls("Machines_list").length).toBeGreaterThanOrEqual(1);
    expect(fake.machines()).toHaveLength(1);
  });

  it("destroys the duplicate when an ambiguous create lands after the look-up", async () => {
    fake.setFaults({ create: [{ kind: "server-error", status: 503, effect: "applied-after-next-list" }] });
    const spawned = (await fly().spawnMachine(REQUEST))._unsafeUnwrap();

    const [late, ours] = fake.machines();
    expect(fake.machines()).toHaveLength(2);
    expect(spawned).toMatchObject({ via: "created", duplicates: { kind: "checked", destroyed: [late?.id] } });
    expect(spawned.machine.id).toBe(ours?.id);
    expect(live().map((m) => m.id)).toEqual([ours?.id]);
  });

  it("ends unavailable when look-ups keep failing after an ambiguous create; a later spawn with lookUpFirst reuses the machine", async () => {
    const failing = { kind: "server-error", status: 502, effect: "dropped" } as const;
    fake.setFaults({
      create: [{ kind: "server-error", status: 503, effect: "applied" }],
      list: [failing, failing, failing],
    });
    const api = fly();
    expect((await api.spawnMachine(REQUEST))._unsafeUnwrapErr()).toMatchObject({ kind: "unavailable" });
    expect(statuses("Machines_create")).toEqual([503]);

    const again = (await api.spawnMachine(REQUEST, { lookUpFirst: true }))._unsafeUnwrap();
    expect(again.via).toBe("found-by-tag");
    expect(statuses("Machines_create")).toEqual([503]);
    expect(fake.machines()).toHaveLength(1);
  });

  it("returns capacity without retrying or creating", async () => {
    fake.setFaults({ create: [{ kind: "capacity" }] });
    const error = (await fly().spawnMachine(REQUEST))._unsafeUnwrapErr();

    expect(error).toEqual({
      kind: "capacity",
      message: "could not reserve resource for machine: insufficient memory available to fulfill request",
    });
    expect(statuses("Machines_create")).toEqual([412]);
    expect(fake.machines()).toEqual([]);
  });
});

describe("auth", () => {
  it("answers 401 to a wrong token: rejected, nothing created", async () => {
    const error = (await fly({ token: "wrong" }).spawnMachine(REQUEST))._unsafeUnwrapErr();

    expect(error).toMatchObject({ kind: "rejected", status: 401 });
    expect(fake.requests().map((r) => r.status)).toEqual([401]);
    expect(fake.machines()).toEqual([]);
  });

  it("accepts a FlyV1 macaroon token sent with the FlyV1 scheme", async () => {
    await startFake({ token: "FlyV1 fm2_macaroon,fm2_discharge" });
    const spawned = await fly({ token: "FlyV1 fm2_macaroon,fm2_discharge" }).spawnMachine(REQUEST);

    expect(spawned.isOk()).toBe(true);
    expect(fake.machines()).toHaveLength(1);
  });
});

describe("launcher hooks", () => {
  it("calls onCreate once per machine and starts it when onCreate resolves", async () => {
    const launched: FakeFlyMachine[] = [];
    const boot = deferred();
    await startFake({
      onCreate: (machine) => {
        launched.push(machine);
        return boot.promise;
      },
    });
    const api = fly();
    const machine = (
      await api.executeTranscodeJob({
        ...REQUEST,
        jobId: "j",
        inputUrl: "i",
        outputUrl: "o",
        preset: "default",
      })
    )._unsafeUnwrap().machine;

    expect(launched.map((m) => [m.id, m.config.env?.JOB_ID])).toEqual([[machine.id, "j"]]);
    expect((await api.getMachine(machine.id))._unsafeUnwrap().state).toBe("created");
    boot.resolve();
    expect((await api.waitForState(machine.id, "started", 5))._unsafeUnwrap()).toEqual({
      kind: "reached",
      state: "started",
    });
  });

  it("marks the machine failed when onCreate rejects", async () => {
    await startFake({ onCreate: () => Promise.reject(new Error("no such image")) });
    const api = fly();
    const machine = (await api.spawnMachine(REQUEST))._unsafeUnwrap().machine;

    expect((await api.waitForState(machine.id, "failed", 5))._unsafeUnwrap()).toEqual({
      kind: "reached",
      state: "failed",
    });
    expect(fake.machines()[0]?.events[0]).toMatchObject({
      type: "launch",
      status: "failed",
      request: { error: "no such image" },
    });
  });

  it("calls onDestroy when the API destroys a machine", async () => {
    const destroyed: string[] = [];
    await startFake({ onDestroy: (machine) => destroyed.push(machine.id) });
    const api = fly();
    const machine = (await api.spawnMachine(REQUEST))._unsafeUnwrap().machine;

    await api.destroyMachine(machine.id, { force: true });
    expect(destroyed).toEqual([machine.id]);
  });
});

describe("signal", () => {
  it("delivers SIGUSR1 to a started machine's process through onSignal; a gone machine is not-found", async () => {
    const delivered: string[] = [];
    await startFake({ onSignal: (machine, signal) => delivered.push(`${machine.id} ${signal}`) });
    const api = fly();
    const machine = (await api.spawnMachine(REQUEST))._unsafeUnwrap().machine;
    await api.waitForState(machine.id, "started", 5);

    expect((await api.signalMachine(machine.id, "SIGUSR1")).isOk()).toBe(true);
    expect(calls("Machines_signal").map((r) => [r.url, r.body])).toEqual([
      [`/v1/apps/${APP}/machines/${machine.id}/signal`, { signal: "SIGUSR1" }],
    ]);
    expect(delivered).toEqual([`${machine.id} SIGUSR1`]);

    await api.destroyMachine(machine.id, { force: true });
    expect((await api.signalMachine(machine.id, "SIGUSR1"))._unsafeUnwrapErr()).toEqual({
      kind: "not-found",
    });
    expect(delivered).toHaveLength(1);
  });

  it("is never retried: a nudge that failed is worth less than the time a retry takes", async () => {
    const api = fly();
    const machine = (await api.spawnMachine(REQUEST))._unsafeUnwrap().machine;
    await api.waitForState(machine.id, "started", 5);
    fake.setFaults({ signal: [{ kind: "server-error", status: 503, effect: "dropped" }] });
    expect((await api.signalMachine(machine.id, "SIGUSR1")).isErr()).toBe(true);
    expect(statuses("Machines_signal")).toEqual([503]);
  });
});

describe("the fake's own responses", () => {
  it("answers 500 and fails close() when a response it would send breaks the spec", async () => {
    const broken = structuredClone(spec) as {
      components: { schemas: { Machine: { properties: { state: object } } } };
    };
    broken.components.schemas.Machine.properties.state = { type: "integer" };
    await startFake({ spec: broken });

    const error = (await fly({ retry: { retries: 0 } }).spawnMachine(REQUEST))._unsafeUnwrapErr();
    expect(error).toMatchObject({
      kind: "unavailable",
      message: expect.stringMatching(/fake Fly API bug.*\$\.state/),
    });
    expect(fake.bugs()).toEqual([
      {
        operationId: "Machines_create",
        status: 200,
        violations: [{ path: "$.state", message: "expected integer, got string" }],
      },
    ]);
    await expect(fake.close()).rejects.toThrow(/broke the spec/);
    fake = await launchFake(); // for afterEach
  });
});
