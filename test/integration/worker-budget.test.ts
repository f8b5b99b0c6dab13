// A job's machine cost against the month's budget, with real worker processes on real Redis: a job whose estimated
// cost (its ffmpeg time limits × the guest's price) does not fit what is left fails before it encodes, and a job
// that may keep its machine past the TTL admission reserved for is counted by admission until the machine is gone.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from "vitest";
import { DEFAULT_JOB_RETRY_POLICY } from "../../core/decide-job-retry.ts";
import type { MachineGuest } from "../../core/machine-guest.ts";
import { outputPrefix } from "../../core/output-keys.ts";
import { FLY_PRICES_2026, priceMachineTime } from "../../core/price-machine-time.ts";
import { ensureFixtures, type FixtureName } from "../../scripts/make-fixtures.ts";
import { admitMachines } from "../../shell/redis/admit-machines.ts";
import { ioredisScriptRunner } from "../../shell/redis/ioredis-script-runner.ts";
import { startTcoderWorker, type TcoderWorker } from "../support/tcoder-worker.ts";
import { newMachineId, type PoolHarness, startPoolHarness } from "../support/worker-pool-harness.ts";

const { ffmpegPath, ffprobePath } = inject("ffmpeg");
const GUEST: MachineGuest = { cpuKind: "performance", cpus: 2, memoryMb: 4096 };
/** A short TTL makes the 10 s 720p web-optimized job (110 s of time limits with its poster) outlast it. */
const TTL_MS = 20_000;
const RESERVED_USD = priceMachineTime(GUEST, TTL_MS / 1000, FLY_PRICES_2026);

let media: Record<FixtureName, string>;
let workDir: string;
const harnesses: PoolHarness[] = [];
const started: TcoderWorker[] = [];

beforeAll(async () => {
  media = await ensureFixtures({ ffmpegPath, ffprobePath });
  workDir = await mkdtemp(join(tmpdir(), "tcoder-worker-budget-"));
});
afterEach(async () => {
  for (const worker of started.splice(0)) worker.killGroup();
  for (const harness of harnesses.splice(0)) await harness.close();
});
afterAll(async () => {
  if (workDir) await rm(workDir, { recursive: true, force: true });
});

const setUp = async (label: string, budgetUsd: string) => {
  const harness = await startPoolHarness(label);
  harnesses.push(harness);
  const machineId = newMachineId();
  const start = () => {
    const worker = startTcoderWorker(
      harness.env(machineId, {
        WORK_DIR: join(workDir, machineId),
        WORKER_TTL_MS: String(TTL_MS),
        WORKER_DRAIN_MS: "1000",
        WORKER_MAX_JOBS: "1",
        MACHINE_GUEST: "performance-2x-4096",
        MONTHLY_BUDGET_USD: budgetUsd,
      }),
    );
    started.push(worker);
    return worker;
  };
  return { harness, machineId, start };
};

describe("a job whose estimated machine cost does not fit the month's budget", () => {
  it("fails before it encodes, with the reason, after one attempt", async () => {
    // 110 s of time limits at $0.0894/h is about $0.0027: more than a $0.002 budget has.
    const { harness, start } = await setUp("worker-budget-over", "0.002");
    const job = await harness.createJob(media["h264-720p-10s.mp4"], "web-optimized");
    const worker = start();
    expect(await worker.exited).toEqual({ code: 0, signal: null });

    const failed = await harness.load(job.jobId);
    expect(failed).toMatchObject({
      status: "failed",
      attempts: 1,
      outputs: [],
      error: { code: "over-budget", retryable: false },
    });
    expect(failed.error?.message).toMatch(
      /^the job's estimated machine cost of \$0\.0027 \(its ffmpeg time limits of 110 s on performance-2x-4096 at \$0\.0894\/h\) exceeds the \$0\.00\d\d left of this month's \$0\.0020 budget/,
    );
    expect(worker.logs().find((l) => l.event === "job-failed")).toMatchObject({
      error: { code: "over-budget" },
      requeued: false,
    });
    expect(
      (await harness.output.list(outputPrefix(job.jobId, "web-optimized")))._unsafeUnwrap().objects,
    ).toEqual([]);
    expect(await harness.redis.hlen(harness.keys.workerCommitments)).toBe(0);
  });
});

describe("a job that may keep its machine past the TTL admission reserved for", () => {
  it("is counted against the budget by admission until the machine is released, then its real time is charged", async () => {
    // The job's commitment (its machine's life so far + 110 s) fits $0.003; on top of it not one more machine does.
    const { harness, machineId, start } = await setUp("worker-budget-overrun", "0.003");
    const job = await harness.createJob(media["h264-720p-10s.mp4"], "web-optimized");
    const worker = start();
    await harness.waitForJob(job.jobId, (j) => j.status === "running" && j.progress > 0);

    // Work waits, the only machine is busy: admission would start another one, were the overrun machine paid for.
    const waiting = await harness.createJob(media["no-audio-3s.mp4"], "default");
    const runner = ioredisScriptRunner(harness.redis);
    const config = {
      maxMachines: 10,
      spawnRate: { maxSpawns: 10, windowMs: 1_000 },
      monthlyBudgetUsd: 0.003,
      machineMaxCostUsd: RESERVED_USD,
      capacityRetryMs: 1_000,
      bootDeadlineMs: 60_000,
    };
    const admit = () => admitMachines(runner, harness.keys, config, newMachineId, Date.now());
    expect((await admit())._unsafeUnwrap()).toMatchObject({ kind: "reject", reason: "budget-exhausted" });
    const committed = Number(await harness.redis.hget(harness.keys.workerCommitments, machineId));
    expect(committed).toBeGreaterThan(priceMachineTime(GUEST, 110, FLY_PRICES_2026));

    expect(await worker.exited).toEqual({ code: 0, signal: null });
    expect(await harness.load(job.jobId)).toMatchObject({ status: "completed" });
    // Released: the commitment is gone, the machine's real lifetime is what was charged, and there is room again.
    expect(await harness.redis.hlen(harness.keys.workerCommitments)).toBe(0);
    const spendKeys = await harness.redis.keys(`${harness.keys.prefix}counters:spend:*`);
    const spent = Number(await harness.redis.get(spendKeys[0] ?? ""));
    expect(spent).toBeGreaterThan(0);
    expect(spent).toBeLessThan(committed);
    expect((await admit())._unsafeUnwrap()).toMatchObject({ kind: "admit", machines: 1 });
    (
      await harness.store.transition(
        waiting.jobId,
        { type: "cancel", at: Date.now() },
        DEFAULT_JOB_RETRY_POLICY,
      )
    )._unsafeUnwrap();
  });
});
