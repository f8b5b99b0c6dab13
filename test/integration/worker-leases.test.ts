// The pool worker when things go wrong, with real processes: killed mid-job (the sweep requeues, another worker
// finishes), stopped mid-job (hands the job back), its lease taken away, an ffmpeg past its time limit, no slot;
// and an idle worker nudged (SIGUSR1) out of a long poll backoff.
import { spawnSync } from "node:child_process";
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from "vitest";
import { jobRetryPolicy } from "../../core/decide-job-retry.ts";
import type { Job } from "../../core/job-lifecycle/job-state.ts";
import { outputPrefix } from "../../core/output-keys.ts";
import { ensureFixtures, type FixtureName } from "../../scripts/make-fixtures.ts";
import { ioredisScriptRunner } from "../../shell/redis/ioredis-script-runner.ts";
import { registerMachine } from "../../shell/redis/machine-leases.ts";
import { startTcoderWorker, type TcoderWorker } from "../support/tcoder-worker.ts";
import { newMachineId, type PoolHarness, startPoolHarness } from "../support/worker-pool-harness.ts";

const { ffmpegPath, ffprobePath } = inject("ffmpeg");
/** The sweep's policy: requeue at once, so the second worker need not wait out a backoff. */
const SWEEP_POLICY = jobRetryPolicy({ maxAttempts: 3, baseDelayMs: 0, maxDelayMs: 0 });

let harness: PoolHarness;
let media: Record<FixtureName, string>;
let workDir: string;
const started: TcoderWorker[] = [];

beforeAll(async () => {
  media = await ensureFixtures({ ffmpegPath, ffprobePath });
  harness = await startPoolHarness("worker-leases");
  workDir = await mkdtemp(join(tmpdir(), "tcoder-worker-leases-"));
});
afterEach(() => {
  for (const worker of started.splice(0)) worker.killGroup();
});
afterAll(async () => {
  await harness?.close();
  if (workDir) await rm(workDir, { recursive: true, force: true });
});

const start = (machineId: string, env: Record<string, string> = {}): TcoderWorker => {
  const worker = startTcoderWorker(
    harness.env(machineId, { WORK_DIR: join(workDir, machineId), WORKER_DRAIN_MS: "1000", ...env }),
  );
  started.push(worker);
  return worker;
};

/** Waits until ffmpeg is encoding: the job's progress reached Redis. */
const encoding = (jobId: string) =>
  harness.waitForJob(jobId, (j) => j.status === "running" && j.progress > 0);

/** Processes whose command line mentions `text` (an ffmpeg writing into a worker's directory). */
const processesMentioning = async (text: string): Promise<string[]> => {
  const found: string[] = [];
  for (const pid of await readdir("/proc")) {
    if (!/^\d+$/.test(pid)) continue;
    const cmdline = await readFile(`/proc/${pid}/cmdline`, "utf8").catch(() => "");
    if (cmdline.includes(text)) found.push(cmdline.replaceAll("\0", " ").trim());
  }
  return found;
};

const leaseOf = async (machineId: string) => harness.redis.zscore(harness.keys.workerLeases, machineId);

/** Pids of ffmpeg (not ffprobe) processes whose command line mentions `text`. */
const ffmpegPids = async (text: string): Promise<number[]> => {
  const found: number[] = [];
  for (const pid of await readdir("/proc")) {
    if (!/^\d+$/.test(pid)) continue;
    const argv = (await readFile(`/proc/${pid}/cmdline`, "utf8").catch(() => "")).split("\0");
    if (/(^|\/)ffmpeg$/.test(argv[0] ?? "") && argv.some((arg) => arg.includes(text)))
      found.push(Number(pid));
  }
  return found;
};

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("a worker killed with SIGKILL mid-job", () => {
  it("leaves a running job the sweep requeues once the lease lapses, and another worker completes it", async () => {
    const job = await harness.createJob(media["h264-720p-10s.mp4"], "mobile");
    const first = newMachineId();
    const dying = start(first, { LEASE_MS: "1500", HEARTBEAT_MS: "300" });
    await encoding(job.jobId);
    dying.killGroup();
    expect(await dying.exited).toEqual({ code: null, signal: "SIGKILL" });
    expect(await harness.load(job.jobId)).toMatchObject({ status: "running", machineId: first });

    await harness.clock.waitPast(Number(await leaseOf(first)));
    const swept = (await harness.sweep(SWEEP_POLICY))._unsafeUnwrap();
    expect(swept).toMatchObject({ requeued: 1, machinesReleased: 1, errors: [] });
    expect(await harness.load(job.jobId)).toMatchObject({
      status: "pending",
      error: { code: "lease-expired" },
    });

    const second = newMachineId();
    const rescuer = start(second, { WORKER_MAX_JOBS: "1" });
    expect(await rescuer.exited).toEqual({ code: 0, signal: null });
    const done = await harness.load(job.jobId);
    expect(done).toMatchObject({ status: "completed", attempts: 2, error: null, progress: 100 });
    const stored = (await harness.output.list(outputPrefix(job.jobId, "mobile")))._unsafeUnwrap().objects;
    expect(stored.map((o) => o.key).sort()).toEqual(done.outputs.map((o) => o.key).sort());
    expect(rescuer.logs().find((l) => l.event === "worker-exit")?.reason).toMatch(
      /job-budget-spent after 1 job/,
    );
  });
});

describe("a worker given SIGTERM mid-job", () => {
  it("stops ffmpeg, hands the job back to the queue as retryable, releases its slot and exits 0", async () => {
    const job = await harness.createJob(media["h264-720p-10s.mp4"], "web-optimized");
    const machineId = newMachineId();
    const worker = start(machineId);
    const running = await encoding(job.jobId);
    worker.signal("SIGTERM");
    expect(await worker.exited).toEqual({ code: 0, signal: null });
    expect(worker.stderr()).toBe("");

    const handedBack: Job = await harness.load(job.jobId);
    expect(handedBack).toMatchObject({
      status: "pending",
      attempts: 1,
      machineId: null,
      leaseToken: null,
      error: { code: "worker-stopped", retryable: true },
    });
    expect(handedBack.error?.message).toMatch(/SIGTERM/);
    expect(handedBack.version).toBeGreaterThan(running.version);
    expect(await harness.redis.hget(harness.keys.jobsActive, job.jobId)).toBeNull();
    expect(await harness.redis.zscore(harness.keys.jobsPending, job.jobId)).not.toBeNull();
    expect(await leaseOf(machineId)).toBeNull();
    expect(await processesMentioning(join(workDir, machineId))).toEqual([]);
    expect(await readdir(join(workDir, machineId))).toEqual([]);
    (
      await harness.store.transition(job.jobId, { type: "cancel", at: Date.now() }, SWEEP_POLICY)
    )._unsafeUnwrap();
  });
});

describe("a worker whose lease is taken away mid-job", () => {
  it("stops ffmpeg on the next heartbeat, hands the job back, never registers again and exits 1", async () => {
    const job = await harness.createJob(media["h264-720p-10s.mp4"], "web-optimized");
    const machineId = newMachineId();
    const worker = start(machineId, { HEARTBEAT_MS: "200" });
    await encoding(job.jobId);
    await harness.redis.zrem(harness.keys.workerLeases, machineId);
    expect(await worker.exited).toEqual({ code: 1, signal: null });
    expect(worker.stderr()).toMatch(/^tcoder-worker: lost the machine lease after 1 job\(s\)\n$/);
    expect(await harness.load(job.jobId)).toMatchObject({
      status: "pending",
      error: { code: "lease-lost", retryable: true },
    });
    expect(worker.logs().filter((l) => l.event === "worker-registered")).toHaveLength(1);
    expect(await leaseOf(machineId)).toBeNull();
    expect(await processesMentioning(join(workDir, machineId))).toEqual([]);
    (
      await harness.store.transition(job.jobId, { type: "cancel", at: Date.now() }, SWEEP_POLICY)
    )._unsafeUnwrap();
  });
});

describe("a job cancelled while ffmpeg makes no progress", () => {
  it("has its ffmpeg gone within 2 s of the cancel; the worker stays and records nothing", async () => {
    // A minute of 4K at 1 fps: x264's lookahead holds about 40 frames before the first packet, so ffmpeg reports
    // 0 % for seconds on end and the worker writes no progress (the only way it used to hear of a cancel).
    const slow = join(workDir, "4k-1fps-60s.mp4");
    const made = spawnSync(ffmpegPath, [
      ...["-hide_banner", "-loglevel", "error", "-y", "-f", "lavfi"],
      ...["-i", "testsrc2=size=3840x2160:rate=1:duration=60", "-c:v", "libx264", "-preset", "ultrafast"],
      ...["-crf", "45", "-pix_fmt", "yuv420p", slow],
    ]);
    expect(made.status).toBe(0);
    const job = await harness.createJob(slow, "web-optimized");
    const machineId = newMachineId();
    const worker = start(machineId);
    let pids: number[] = [];
    for (let tries = 0; pids.length === 0 && tries < 600; tries++) {
      pids = await ffmpegPids(join(workDir, machineId, job.jobId, "out"));
      if (pids.length === 0) await sleep(50);
    }
    expect(pids).toHaveLength(1);
    const [pid] = pids as [number];
    expect((await harness.load(job.jobId)).progress).toBe(0);

    (
      await harness.store.transition(job.jobId, { type: "cancel", at: Date.now() }, SWEEP_POLICY)
    )._unsafeUnwrap();
    // A bound, not a timing: polled until gone, then asserted at the 2 s mark at the latest.
    const deadline = Date.now() + 2_000;
    while (alive(pid) && Date.now() < deadline) await sleep(50);
    expect(alive(pid), `ffmpeg ${pid} still runs 2 s after the cancel`).toBe(false);

    const fenced = await worker.waitForLog("job-fenced-out", (l) => l.jobId === job.jobId);
    expect(fenced.reason).toBe("the job is cancelled");
    expect(await harness.load(job.jobId)).toMatchObject({ status: "cancelled", outputs: [] });
    expect(
      (await harness.output.list(outputPrefix(job.jobId, "web-optimized")))._unsafeUnwrap().objects,
    ).toEqual([]);
    // The worker lives on: it still holds its lease and exits on its own when told.
    expect(await leaseOf(machineId)).not.toBeNull();
    worker.signal("SIGTERM");
    expect(await worker.exited).toEqual({ code: 0, signal: null });
  });
});

describe("an ffmpeg that runs past its time limit", () => {
  it("is killed at the limit and the job fails with the reason after one attempt, not retried", async () => {
    const job = await harness.createJob(media["h264-720p-10s.mp4"], "web-optimized");
    // FFMPEG_MAX_RUN_MS is the operator's ceiling for any one command; 300 ms is far below this encode's ~4 s.
    // MAX_ATTEMPTS stays at its default of 3: the timeout itself must not be retried.
    const worker = start(newMachineId(), { FFMPEG_MAX_RUN_MS: "300", WORKER_MAX_JOBS: "1" });
    expect(await worker.exited).toEqual({ code: 0, signal: null });
    const failed = await harness.load(job.jobId);
    expect(failed).toMatchObject({
      status: "failed",
      attempts: 1,
      error: { code: "ffmpeg-timeout", retryable: false },
    });
    expect(failed.error?.message).toBe(
      "ffmpeg (transcode) exceeded its time limit of 0.3 s for 1280×720 × 10 s at preset web-optimized and was stopped",
    );
    expect(
      (await harness.output.list(outputPrefix(job.jobId, "web-optimized")))._unsafeUnwrap().objects,
    ).toEqual([]);
  });
});

describe("an idle worker nudged with SIGUSR1", () => {
  it("claims at once the job it would otherwise find only at its next poll, ten minutes away", async () => {
    const machineId = newMachineId();
    const worker = start(machineId, { WORKER_POLL_MIN_MS: "600000", WORKER_POLL_MAX_MS: "600000" });
    await worker.waitForLog("worker-registered");
    // Its first poll comes right after registering and finds nothing; then it sleeps for ten minutes.
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    const job = await harness.createJob(media["no-audio-3s.mp4"], "default");
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect((await harness.load(job.jobId))?.status).toBe("pending");

    const nudgedAt = Date.now();
    worker.signal("SIGUSR1");
    const done = await harness.waitForJob(job.jobId, (j) => j.status === "completed", 30_000);
    expect(done.startedAt).toBeGreaterThanOrEqual(nudgedAt - 50);
    expect(worker.logs().some((l) => l.event === "job-started" && l.jobId === job.jobId)).toBe(true);
    // The signal did not stop the worker: it is still alive and holds its lease.
    expect(await leaseOf(machineId)).not.toBeNull();
    worker.signal("SIGTERM");
    expect((await worker.exited).code).toBe(0);
  });
});

describe("registration", () => {
  it("refused when every slot is taken: exit 0 with a one-line reason, no job touched", async () => {
    const own = await startPoolHarness("worker-leases-full");
    try {
      const holder = newMachineId();
      const runner = ioredisScriptRunner(own.redis);
      (await registerMachine(runner, own.keys, holder, { leaseMs: 60_000, maxMachines: 1 }))._unsafeUnwrap();
      const job = await own.createJob(media["no-audio-3s.mp4"], "default");
      const worker = startTcoderWorker(own.env(newMachineId(), { MAX_MACHINES: "1", WORK_DIR: workDir }));
      started.push(worker);
      expect(await worker.exited).toEqual({ code: 0, signal: null });
      const exit = worker.logs().find((l) => l.event === "worker-exit");
      expect(exit?.reason).toMatch(/^registration refused: no-free-slot/);
      expect(await own.load(job.jobId)).toMatchObject({ status: "pending", attempts: 0 });
    } finally {
      await own.close();
    }
  });
});
