// 20 worker processes race to claim 200 jobs on a real redis-server: every job is claimed and completed exactly once.
import { spawn } from "node:child_process";
import { resolve } from "node:path";
import { afterAll, describe, expect, inject, it } from "vitest";
import { buildJob, rwosContext } from "../support/rwos-context.ts";

const ROOT = resolve(import.meta.dirname, "../..");
const BUN = resolve(ROOT, "node_modules/.bin/bun");

const runWorker = (args: string[]): Promise<{ machineId: string; completed: string[]; refused: string[] }> =>
  new Promise((done, fail) => {
    const child = spawn(BUN, ["test/support/claim-race-worker.ts", ...args], { cwd: ROOT });
    let out = "";
    let errText = "";
    child.stdout.on("data", (d) => (out += d));
    child.stderr.on("data", (d) => (errText += d));
    child.on("exit", (code) =>
      code === 0 ? done(JSON.parse(out.trim())) : fail(new Error(`worker exited ${code}: ${errText}`)),
    );
  });

describe("claim race across processes", () => {
  const ctx = rwosContext("claim-race");
  afterAll(() => ctx.close());

  it("20 processes, 200 jobs: each claimed and completed exactly once", async () => {
    const jobs = Array.from({ length: 200 }, (_, i) => buildJob({ at: 1_700_000_000_000 + i }));
    for (const job of jobs) {
      await ctx.store.create({ job, meta: { webhookUrl: null, filename: null } });
    }
    const machines = Array.from({ length: 20 }, (_, i) => `race-m${i}`);
    const leaseUntil = (await ctx.redisNow()) + 120_000;
    for (const m of machines) await ctx.redis.zadd(ctx.keys.workerLeases, leaseUntil, m);

    const results = await Promise.all(
      machines.map((m) => runWorker([inject("redisUrl"), ctx.keys.prefix, m])),
    );

    const completed = results.flatMap((r) => r.completed);
    expect(results.flatMap((r) => r.refused)).toEqual([]);
    expect(completed).toHaveLength(200);
    expect(new Set(completed).size).toBe(200);
    expect(new Set(completed)).toEqual(new Set(jobs.map((j) => j.jobId)));
    // Real contention: the work was spread over several processes, not drained by the first to start.
    expect(results.filter((r) => r.completed.length > 0).length).toBeGreaterThan(3);

    for (const job of jobs) {
      const stored = (await ctx.store.load(job.jobId))._unsafeUnwrap()?.job;
      expect(stored?.status).toBe("completed");
      expect(stored?.attempts).toBe(1);
    }
    expect(await ctx.redis.zcard(ctx.keys.jobsPending)).toBe(0);
    expect(await ctx.redis.hlen(ctx.keys.jobsActive)).toBe(0);
  }, 120_000);
});
