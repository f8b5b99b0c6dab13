// Fly stops a machine with its stop_config's signal and SIGKILLs it the timeout later (SIGINT and 5 s when the
// create body gives none). Real worker processes as machines (the local launcher behind the fake Machines API):
// with the stop_config TCoder sends, a worker stopped mid-job hands the job back and exits on its own; with Fly's
// defaults the same worker is killed before it has finished.
//
// Same conditions for both: an ffmpeg that does not stop on SIGTERM (a hung muxer, an encoder flushing a long
// lookahead: the worker gives it 5 s, FFMPEG_KILL_GRACE_MS, then kills it) and an Upstash that takes a second to
// answer (the bridge's latency) while the worker hands the job back and releases its lease.
import { chmod, mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from "vitest";
import { ensureFixtures, type FixtureName } from "../../scripts/make-fixtures.ts";
import { type MachineLauncher, startLocalMachineLauncher } from "../../shell/dev/local-machine-launcher.ts";
import { buildCreateMachineBody } from "../../shell/fly/build-create-machine-body.ts";
import { createFlyMachines } from "../../shell/fly/create-fly-machines.ts";
import { BUN, type LogLine, WORKER_ENTRY } from "../support/tcoder-worker.ts";
import { newMachineId, type PoolHarness, startPoolHarness } from "../support/worker-pool-harness.ts";

const { ffmpegPath, ffprobePath } = inject("ffmpeg");
const APP = "tcoder-stop-test";
const TOKEN = "fly-stop-test-token";
const ROOT = dirname(dirname(WORKER_ENTRY));

// Answers -version as ffmpeg (the worker checks it at start); any other run ignores SIGTERM until it is killed.
const STAND_IN = `#!/bin/sh
case " $* " in *" -version "*) exec "$REAL_FFMPEG" "$@" ;; esac
trap '' TERM INT
touch "$STAND_IN_MARKERS/$FLY_MACHINE_ID"
while :; do sleep 0.2; done
`;

let harness: PoolHarness;
let launcher: MachineLauncher;
let media: Record<FixtureName, string>;
let dir: string;
const lines = new Map<string, LogLine[]>();

beforeAll(async () => {
  media = await ensureFixtures({ ffmpegPath, ffprobePath });
  harness = await startPoolHarness("fly-stop");
  dir = await mkdtemp(join(tmpdir(), "tcoder-fly-stop-"));
  const standIn = join(dir, "ffmpeg");
  await writeFile(standIn, STAND_IN);
  await chmod(standIn, 0o755);
  launcher = await startLocalMachineLauncher({
    appName: APP,
    token: TOKEN,
    command: [BUN, WORKER_ENTRY],
    cwd: ROOT,
    baseEnv: {
      PATH: process.env.PATH ?? "/usr/bin:/bin",
      FFMPEG_PATH: standIn,
      FFPROBE_PATH: ffprobePath,
      REAL_FFMPEG: ffmpegPath,
      STAND_IN_MARKERS: dir,
    },
    log: (machineId, line) => {
      if (!line.startsWith("{")) return;
      const list = lines.get(machineId) ?? [];
      list.push(JSON.parse(line) as LogLine);
      lines.set(machineId, list);
    },
    now: Date.now,
  });
});
afterEach(() => harness.bridge.setLatency(0));
afterAll(async () => {
  await launcher?.close();
  await harness?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

const waitFor = async <T>(what: string, probe: () => Promise<T | null> | T | null): Promise<T> => {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const value = await probe();
    if (value !== null) return value;
    if (Date.now() > deadline) throw new Error(`still waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
};

/** The create body TCoder sends for a pool machine: the worker's env, the run-once settings, the stop_config. */
const createBody = (machineId: string) =>
  buildCreateMachineBody({
    image: "registry.fly.io/tcoder-worker:test",
    region: "local",
    guest: { cpuKind: "shared", cpus: 1, memoryMb: 1024 },
    env: harness.env(machineId, {
      WORK_DIR: join(dir, machineId),
      LEASE_MS: "30000",
      HEARTBEAT_MS: "10000",
    }),
    tag: machineId,
  });

const flyRequest = async (method: "POST", path: string, body?: unknown) => {
  const response = await fetch(`${launcher.fly.url}/apps/${APP}${path}`, {
    method,
    headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/json" },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  expect(response.status).toBe(200);
  return response.status === 200 ? ((await response.json()) as { id: string } | null) : null;
};

/** Starts a machine whose worker claims a job and is inside ffmpeg; answers the Fly id and the job id. */
const machineMidJob = async (create: (machineId: string) => Promise<string>) => {
  const job = await harness.createJob(media["h264-720p-10s.mp4"], "web-optimized");
  const machineId = newMachineId();
  const flyId = await create(machineId);
  await waitFor("ffmpeg to start", async () => ((await readdir(dir)).includes(flyId) ? true : null));
  expect(await harness.load(job.jobId)).toMatchObject({ status: "running", machineId });
  return { flyId, machineId, jobId: job.jobId };
};

const stopped = async (flyId: string) => {
  // Upstash takes a second per answer from now on: the hand-back and the release are not instant.
  harness.bridge.setLatency(1_000);
  await flyRequest("POST", `/machines/${flyId}/stop`);
  return waitFor("the machine's process to end", () => {
    const record = launcher.records().find((r) => r.id === flyId);
    return record?.exitedAt ? record : null;
  });
};

const eventsOf = (flyId: string) => (lines.get(flyId) ?? []).map((line) => line.event);
const leaseOf = (machineId: string) => harness.redis.zscore(harness.keys.workerLeases, machineId);

describe("stopping a machine through Fly's API", () => {
  it("with TCoder's stop_config (SIGTERM, 60 s): the worker hands its job back and exits on its own", async () => {
    const fly = createFlyMachines({ baseUrl: launcher.fly.url, appName: APP, token: TOKEN, now: Date.now });
    const { flyId, machineId, jobId } = await machineMidJob(async (id) => {
      const spawned = await fly.spawnMachine({
        image: "registry.fly.io/tcoder-worker:test",
        region: "local",
        guest: { cpuKind: "shared", cpus: 1, memoryMb: 1024 },
        env: createBody(id).config.env,
        tag: id,
      });
      return spawned._unsafeUnwrap().machine.id;
    });
    expect(launcher.fly.machines().find((m) => m.id === flyId)?.config.stop_config).toEqual({
      signal: "SIGTERM",
      timeout: "60s",
    });

    const record = await stopped(flyId);
    expect({ code: record.exitCode, signal: record.signal }).toEqual({ code: 0, signal: null });
    expect(eventsOf(flyId)).toEqual(
      expect.arrayContaining(["stop-requested", "worker-released", "worker-exit"]),
    );
    expect(await harness.load(jobId)).toMatchObject({
      status: "pending",
      attempts: 1,
      error: { code: "worker-stopped" },
    });
    expect(await leaseOf(machineId)).toBeNull();
    expect(launcher.liveIds()).not.toContain(flyId);
    const machine = launcher.fly.machines().find((m) => m.id === flyId);
    expect(machine?.state).toBe("destroyed");
    expect(machine?.events.find((e) => e.type === "exit")?.request).toMatchObject({
      exit_event: { exit_code: 0, requested_stop: true },
    });
    expect(launcher.fly.violations()).toEqual([]);
  });

  it("with Fly's defaults (no stop_config: SIGINT, 5 s): the worker is killed before it has handed back", async () => {
    const { flyId, machineId } = await machineMidJob(async (id) => {
      const { stop_config: _, ...config } = createBody(id).config;
      const created = await flyRequest("POST", "/machines", { region: "local", config });
      if (!created) throw new Error("create failed");
      return created.id;
    });

    const record = await stopped(flyId);
    expect(record.signal).toBe("SIGKILL");
    // It heard the stop (SIGINT) and was still at it: no release, no exit of its own.
    expect((lines.get(flyId) ?? []).find((line) => line.event === "stop-requested")).toMatchObject({
      signal: "SIGINT",
    });
    expect(eventsOf(flyId)).not.toContain("worker-released");
    expect(eventsOf(flyId)).not.toContain("worker-exit");
    // Its slot stays taken until the lease lapses; its job waits for the sweep (see worker-leases.test.ts).
    expect(await leaseOf(machineId)).not.toBeNull();
    expect(launcher.liveIds()).not.toContain(flyId);
    expect(launcher.fly.violations()).toEqual([]);
  });
});
