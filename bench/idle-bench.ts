// Idle cost and pickup latency: workers polling empty queues over the Upstash REST bridge, as Fly workers would.
import { setTimeout as sleep } from "node:timers/promises";
import { jobStore } from "../shell/redis/job-store.ts";
import { redisKeys } from "../shell/redis/key-schema.ts";
import { upstashScriptRunner } from "../shell/redis/upstash-script-runner.ts";
import { totalCalls } from "./command-meter.ts";
import { startPollingWorker } from "./idle-worker.ts";
import { enqueueOne, grantLease, newMachineId } from "./rwos-flow.ts";
import { type BenchEnv, type RestEndpoint, upstashClient } from "./rwos-runs.ts";

/** Commands the bridge received from clients: what Upstash would bill (one EVALSHA is one command). */
export interface BridgeCounter {
  commands: number;
}

export interface IdleOptions {
  /** Idle workers, each on its own queue (key prefix), so they neither share work nor wake each other. */
  readonly workers: number;
  /** Time to reach the longest backoff before the window opens. */
  readonly settleMs: number;
  readonly windowMs: number;
  /** Pickup samples per worker. */
  readonly pickupRounds: number;
}

export interface IdleFigures {
  readonly clientCommandsPerWorkerMin: number;
  readonly redisCallsPerWorkerMin: number;
  readonly pickupMs: readonly number[];
}

// After a pickup the backoff starts over (0, 250, 500, 1000, then 2000 ms plus jitter); after this long without
// work a worker polls at its slowest again, i.e. it has been idle for a while.
const BACK_TO_IDLE_MS = 5_000;
// The longest idle delay (maxMs with full jitter): enqueueing at a random point within it samples every phase.
const IDLE_PERIOD_MS = 2_400;

export const runIdleBench = async (
  env: BenchEnv,
  endpoint: RestEndpoint,
  counter: BridgeCounter,
  options: IdleOptions,
): Promise<IdleFigures> => {
  const lanes = await Promise.all(
    Array.from({ length: options.workers }, async (_, i) => {
      const keys = redisKeys(`idle-${i}`);
      const machineId = newMachineId();
      await grantLease(env.admin, keys, machineId);
      const producer = jobStore(upstashScriptRunner(upstashClient(endpoint)), keys);
      const worker = startPollingWorker(
        jobStore(upstashScriptRunner(upstashClient(endpoint)), keys),
        machineId,
      );
      return { producer, worker };
    }),
  );
  try {
    await sleep(options.settleMs);
    await env.meter.lap();
    counter.commands = 0;
    await sleep(options.windowMs);
    const clientCommands = counter.commands;
    const redisCalls = totalCalls((await env.meter.lap()).counts);
    const perWorkerMinute = (n: number) => (n / options.workers) * (60_000 / options.windowMs);

    const samples = await Promise.all(
      lanes.map(async ({ producer, worker }) => {
        const pickups: number[] = [];
        for (let round = 0; round < options.pickupRounds; round++) {
          await sleep((round === 0 ? 0 : BACK_TO_IDLE_MS) + Math.random() * IDLE_PERIOD_MS);
          const sentAt = performance.now();
          const jobId = await enqueueOne(producer);
          pickups.push((await worker.claimedAt(jobId)) - sentAt);
        }
        return pickups;
      }),
    );
    return {
      clientCommandsPerWorkerMin: perWorkerMinute(clientCommands),
      redisCallsPerWorkerMin: perWorkerMinute(redisCalls),
      pickupMs: samples.flat(),
    };
  } finally {
    await Promise.all(lanes.map(({ worker }) => worker.stop()));
    await env.admin.flushall();
  }
};
