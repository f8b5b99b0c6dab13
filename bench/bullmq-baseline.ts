// The BullMQ 6.7 baseline: the same no-op jobs through Queue.addBulk and a Worker, metered like RWOS's runs.
import { Queue, Worker } from "bullmq";
import { Redis } from "ioredis";
import type { BenchEnv } from "./rwos-runs.ts";
import { type ThroughputRun, timed } from "./throughput-run.ts";

const ADD_BULK_CHUNK = 1_000;

/**
 * Completed and failed jobs are kept (BullMQ's default, stated explicitly): RWOS keeps every job's record after
 * it finishes, for the status API, so removing BullMQ's would compare unequal work.
 */
export const BULLMQ_JOB_OPTIONS = { removeOnComplete: false, removeOnFail: false } as const;

/** One run: fill the queue with addBulk, then start a Worker with `concurrency` slots and wait for every job. */
export const runBullmq = async (
  env: BenchEnv,
  queueName: string,
  jobs: number,
  concurrency: number,
): Promise<ThroughputRun> => {
  // BullMQ needs maxRetriesPerRequest: null on connections that block; passing clients keeps ioredis's defaults.
  const queueConnection = new Redis(env.redisUrl, { maxRetriesPerRequest: null });
  const workerConnection = new Redis(env.redisUrl, { maxRetriesPerRequest: null });
  const queue = new Queue(queueName, { connection: queueConnection });
  let completed = 0;
  let failed: Error | undefined;
  let finish: () => void = () => {};
  const allDone = new Promise<void>((resolve) => {
    finish = resolve;
  });
  const worker = new Worker(queueName, async () => {}, {
    connection: workerConnection,
    concurrency,
    autorun: false,
  });
  worker.on("completed", () => {
    completed++;
    if (completed === jobs) finish();
  });
  worker.on("failed", (_job, error) => {
    failed = error;
    finish();
  });
  try {
    await queue.waitUntilReady();
    await worker.waitUntilReady();
    await env.meter.lap();
    const enqueued = await timed(async () => {
      for (let first = 0; first < jobs; first += ADD_BULK_CHUNK) {
        const size = Math.min(ADD_BULK_CHUNK, jobs - first);
        await queue.addBulk(
          Array.from({ length: size }, (_, i) => ({
            name: "noop",
            data: { n: first + i },
            opts: BULLMQ_JOB_OPTIONS,
          })),
        );
      }
    });
    const enqueue = await env.meter.lap();
    const processed = await timed(async () => {
      void worker.run();
      await allDone;
    });
    const process = await env.meter.lap();
    if (failed) throw new Error(`bullmq: a no-op job failed: ${failed.message}`);
    return {
      jobs,
      enqueueMs: enqueued.wallMs,
      processMs: processed.wallMs,
      enqueue,
      process,
      clientCpuMs: processed.cpuMs,
    };
  } finally {
    await worker.close();
    await queue.close();
    queueConnection.disconnect();
    workerConnection.disconnect();
    await env.admin.flushall();
  }
};
