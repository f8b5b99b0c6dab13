// Crash safety with real processes: workers SIGKILLed mid-job while sweeps run, a frozen worker fenced out, and a
// Redis restart in the middle of a batch. No job is lost, none completes twice.
import { randomBytes } from "node:crypto";
import { Redis } from "ioredis";
import { afterAll, describe, expect, inject, it } from "vitest";
import { ioredisScriptRunner } from "../../shell/redis/ioredis-script-runner.ts";
import { jobStore } from "../../shell/redis/job-store.ts";
import { redisKeys } from "../../shell/redis/key-schema.ts";
import { pickBackend } from "../services/pick-backend.ts";
import { uniquePrefix } from "../services/test-namespace.ts";
import { CHAOS_LEASE_MS, CHAOS_POLICY, chaosMachines } from "../support/chaos-machines.ts";
import { buildJob, rwosContext } from "../support/rwos-context.ts";
import { startWorkerProcess, type WorkerProcess } from "../support/worker-process.ts";

const WORKER = "test/support/chaos-worker.ts";
const META = { webhookUrl: null, filename: null };
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const newMachine = () => `chaos-${randomBytes(4).toString("hex")}`;

/** The job a worker is on right now: claimed, and neither completed nor refused since. */
const currentJob = (w: WorkerProcess): string | null => {
  const last = w.events
    .filter((e) => e.event === "claimed" || e.event === "completed" || e.event === "refused")
    .at(-1);
  return last?.event === "claimed" ? (last.jobId as string) : null;
};

describe("crash safety", () => {
  const ctx = rwosContext("crash");
  afterAll(() => ctx.close());
  const machines = chaosMachines(ctx.runner, ctx.keys, ctx.store);

  it("50 jobs, workers SIGKILLed mid-job, sweeps behind them: all completed exactly once", async () => {
    const jobs = Array.from({ length: 50 }, (_, i) => buildJob({ at: 1_700_000_000_000 + i }));
    for (const job of jobs) await ctx.store.create({ job, meta: META });
    const args = (m: string) => [inject("redisUrl"), ctx.keys.prefix, m];
    const workers: WorkerProcess[] = Array.from({ length: 4 }, () =>
      startWorkerProcess(WORKER, args(newMachine())),
    );
    const killedMidJob: string[] = [];

    const deadline = Date.now() + 90_000;
    let completed = 0;
    while (completed < jobs.length && Date.now() < deadline) {
      await sleep(150);
      (await machines.sweep())._unsafeUnwrap();
      // Kill one worker that is in the middle of a job, up to 8 times, and start a replacement.
      const victim = workers.find(
        (w) => w.child.exitCode === null && w.child.signalCode === null && currentJob(w),
      );
      if (victim && killedMidJob.length < 8 && Math.random() < 0.5) {
        killedMidJob.push(currentJob(victim) as string);
        victim.child.kill("SIGKILL");
        workers.push(startWorkerProcess(WORKER, args(newMachine())));
      }
      if (workers.every((w) => w.child.exitCode !== null || w.child.signalCode !== null)) {
        workers.push(startWorkerProcess(WORKER, args(newMachine())));
      }
      completed = 0;
      for (const job of jobs)
        if ((await ctx.store.load(job.jobId))._unsafeUnwrap()?.job.status === "completed") completed++;
    }
    for (const w of workers) if (w.child.exitCode === null) w.child.kill("SIGKILL");
    await Promise.all(workers.map((w) => w.exited));

    expect(completed).toBe(50);
    expect(killedMidJob.length).toBeGreaterThan(0);
    const completions = workers.flatMap((w) =>
      w.events.filter((e) => e.event === "completed").map((e) => e.jobId),
    );
    // A SIGKILLed worker may have committed its last completion without printing it; none completed twice.
    expect(new Set(completions).size).toBe(completions.length);
    const records = await Promise.all(
      jobs.map(async (j) => (await ctx.store.load(j.jobId))._unsafeUnwrap()?.job),
    );
    for (const killed of killedMidJob) {
      const record = records.find((r) => r?.jobId === killed);
      expect(record?.status).toBe("completed");
    }
    // Killed jobs were claimed again: more claims than jobs.
    expect(records.reduce((sum, r) => sum + (r?.attempts ?? 0), 0)).toBeGreaterThan(50);
    expect(await ctx.redis.hlen(ctx.keys.jobsActive)).toBe(0);
    expect(await ctx.redis.zcard(ctx.keys.jobsPending)).toBe(0);
  }, 120_000);

  it("a frozen worker's late complete is refused once its job was requeued and finished elsewhere", async () => {
    const local = rwosContext("fenced");
    const localMachines = chaosMachines(local.runner, local.keys, local.store);
    try {
      const job = buildJob({});
      await local.store.create({ job, meta: META });
      const args = (m: string) => [inject("redisUrl"), local.keys.prefix, m];
      const frozen = startWorkerProcess(WORKER, args(newMachine()));
      while (!currentJob(frozen)) await sleep(10);
      frozen.child.kill("SIGSTOP");
      const frozenToken = frozen.events.find((e) => e.event === "claimed")?.token;

      await sleep(CHAOS_LEASE_MS + 200);
      const swept = (await localMachines.sweep())._unsafeUnwrap();
      expect(swept.requeued).toBe(1);
      const rescuer = startWorkerProcess(WORKER, args(newMachine()));
      while (!rescuer.events.some((e) => e.event === "completed")) await sleep(20);

      frozen.child.kill("SIGCONT");
      expect(await frozen.exited).toBe(3); // its heartbeat found the lease lost
      await rescuer.exited;
      const refused = frozen.events.find((e) => e.event === "refused");
      expect(refused?.jobId).toBe(job.jobId);
      expect((refused?.error as { rejection?: { code?: string } })?.rejection?.code).toBe("already-terminal");
      expect(frozen.events.some((e) => e.event === "completed")).toBe(false);
      const stored = (await local.store.load(job.jobId))._unsafeUnwrap()?.job;
      expect(stored?.status).toBe("completed");
      expect(stored?.attempts).toBe(2);
      expect(rescuer.events.find((e) => e.event === "completed")?.token).not.toBe(frozenToken);
    } finally {
      await local.close();
    }
  }, 60_000);
});

describe("Redis restarted mid-batch (AOF everysec)", () => {
  it("loses no acknowledged job and finishes the batch after the restart", async () => {
    const backend = await pickBackend();
    const server = await backend.startRedis({ appendonly: true });
    const redis = new Redis(server.url, { maxRetriesPerRequest: 20, retryStrategy: () => 50 });
    const keys = redisKeys(uniquePrefix("restart"));
    // Transport retries span the restart: a write lost in flight is retried, and scripts are safe to repeat.
    const store = jobStore(
      ioredisScriptRunner(redis, { retries: 40, minTimeoutMs: 50, maxTimeoutMs: 200 }),
      keys,
    );
    try {
      const acknowledged: string[] = [];
      const produce = async (from: number, count: number) => {
        for (let i = from; i < from + count; i++) {
          const job = buildJob({ at: 1_700_000_000_000 + i });
          const created = await store.create({ job, meta: META });
          if (created.isOk()) acknowledged.push(job.jobId);
        }
      };
      const runId = async () => (await redis.info("server")).match(/run_id:(\w+)/)?.[1];
      await produce(0, 60);
      // Acknowledged completions must survive the restart as well as acknowledged creations.
      await redis.zadd(keys.workerLeases, Date.now() + 600_000, "m-restart");
      const finishedBefore: string[] = [];
      for (let i = 0; i < 20; i++) {
        const claim = (await store.claim("m-restart", `tok-${i}`))._unsafeUnwrap();
        if (claim.kind !== "claimed") throw new Error("expected a claim");
        const command = {
          type: "complete",
          leaseToken: `tok-${i}`,
          outputs: [],
          costUsd: 0,
          machineSeconds: 0,
          at: claim.now,
        } as const;
        (await store.transitionFrom(claim.job, command, CHAOS_POLICY))._unsafeUnwrap();
        finishedBefore.push(claim.job.jobId);
      }
      const before = await runId();
      let restarted = false;
      const restarting = server.restart({ signal: "SIGTERM" }).then(() => {
        restarted = true;
      });
      // Keep producing while Redis goes down and comes back: these meet a closed connection and retry.
      let next = 60;
      while (!restarted) await produce(next++, 1);
      await restarting;
      const duringRestart = next - 60;
      await produce(next, 30);
      const total = next + 30;

      expect(await runId()).not.toBe(before);
      expect(duringRestart).toBeGreaterThan(0);
      expect(acknowledged.length).toBe(total);
      for (const jobId of acknowledged) {
        const expected = finishedBefore.includes(jobId) ? "completed" : "pending";
        expect((await store.load(jobId))._unsafeUnwrap()?.job.status, jobId).toBe(expected);
      }
      expect(await redis.zcard(keys.jobsPending)).toBe(total - finishedBefore.length);
    } finally {
      redis.disconnect();
      await server.stop();
    }
  }, 60_000);
});
