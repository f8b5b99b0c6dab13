// RWOS throughput runs: direct RESP (ioredis runner) and Upstash REST (bridge + @upstash/redis), plus a run that
// meters each script on its own.
import type { Redis as UpstashRedis } from "@upstash/redis";
import { Redis } from "ioredis";
import { ioredisScriptRunner } from "../shell/redis/ioredis-script-runner.ts";
import { type JobStore, jobStore } from "../shell/redis/job-store.ts";
import { redisKeys } from "../shell/redis/key-schema.ts";
import {
  upstashScriptRunner,
  upstashClient as workerUpstashClient,
} from "../shell/redis/upstash-script-runner.ts";
import type { CommandCounts, CommandMeter } from "./command-meter.ts";
import {
  type Claimed,
  claimOnce,
  completeJob,
  drainQueue,
  enqueueJobs,
  grantLease,
  newMachineId,
} from "./rwos-flow.ts";
import { type ThroughputRun, timed } from "./throughput-run.ts";

export interface BenchEnv {
  readonly redisUrl: string;
  /** Set-up and tear-down only (leases, FLUSHALL); never used while a lap is metered. */
  readonly admin: Redis;
  readonly meter: CommandMeter;
}

export interface RestEndpoint {
  readonly url: string;
  readonly token: string;
}

/** Creates in flight at once while enqueueing over RESP (one connection pipelines them). */
const RESP_ENQUEUE_IN_FLIGHT = 64;

/** The client the Cloudflare Worker and the Fly workers build: replies raw, transport retries left to the runner. */
export const upstashClient = (endpoint: RestEndpoint): UpstashRedis =>
  workerUpstashClient({ url: endpoint.url, token: endpoint.token, timeoutMs: 10_000 });

/**
 * Fills the queue, then starts one worker loop per store in `workers` (each its own machine with its own lease)
 * and times them until the queue is drained.
 */
const runFlow = async (
  env: BenchEnv,
  prefix: string,
  jobs: number,
  producer: { readonly store: JobStore; readonly inFlight: number },
  workers: readonly JobStore[],
): Promise<ThroughputRun> => {
  const keys = redisKeys(prefix);
  const machines = workers.map(() => newMachineId());
  for (const machineId of machines) await grantLease(env.admin, keys, machineId);
  await env.meter.lap();
  const enqueued = await timed(() => enqueueJobs(producer.store, jobs, producer.inFlight));
  const enqueue = await env.meter.lap();
  let completed: number[] = [];
  const processed = await timed(async () => {
    completed = await Promise.all(workers.map((store, i) => drainQueue(store, machines[i] as string)));
  });
  const process = await env.meter.lap();
  const done = completed.reduce((a, b) => a + b, 0);
  if (done !== jobs) throw new Error(`${prefix}: completed ${done} of ${jobs} jobs`);
  await env.admin.flushall();
  return {
    jobs,
    enqueueMs: enqueued.wallMs,
    processMs: processed.wallMs,
    enqueue,
    process,
    clientCpuMs: processed.cpuMs,
  };
};

/** Worker loops share one RESP connection, as a BullMQ Worker's concurrency slots share its connection. */
export const runRwosResp = async (
  env: BenchEnv,
  prefix: string,
  jobs: number,
  concurrency: number,
): Promise<ThroughputRun> => {
  const client = new Redis(env.redisUrl);
  try {
    await client.ping();
    const store = jobStore(ioredisScriptRunner(client), redisKeys(prefix));
    const producer = { store, inFlight: RESP_ENQUEUE_IN_FLIGHT };
    return await runFlow(
      env,
      prefix,
      jobs,
      producer,
      Array.from({ length: concurrency }, () => store),
    );
  } finally {
    client.disconnect();
  }
};

/** Each worker loop gets its own @upstash/redis client, as each Fly machine has its own. */
export const runRwosRest = async (
  env: BenchEnv,
  endpoint: RestEndpoint,
  prefix: string,
  jobs: number,
  concurrency: number,
): Promise<ThroughputRun> => {
  const keys = redisKeys(prefix);
  const storeOf = () => jobStore(upstashScriptRunner(upstashClient(endpoint)), keys);
  const producer = { store: storeOf(), inFlight: concurrency };
  return runFlow(env, prefix, jobs, producer, Array.from({ length: concurrency }, storeOf));
};

export interface ScriptBreakdown {
  readonly jobs: number;
  readonly create: CommandCounts;
  readonly claim: CommandCounts;
  readonly complete: CommandCounts;
}

/** One worker, one phase at a time (create all, claim all, complete all), so each lap is one script's cost. */
export const runRwosBreakdown = async (
  env: BenchEnv,
  prefix: string,
  jobs: number,
): Promise<ScriptBreakdown> => {
  const client = new Redis(env.redisUrl);
  try {
    await client.ping();
    const keys = redisKeys(prefix);
    const store = jobStore(ioredisScriptRunner(client), keys);
    const machineId = newMachineId();
    await grantLease(env.admin, keys, machineId);
    await env.meter.lap();
    await enqueueJobs(store, jobs, RESP_ENQUEUE_IN_FLIGHT);
    const create = (await env.meter.lap()).counts;
    const claimed: Claimed[] = [];
    for (let i = 0; i < jobs; i++) {
      const outcome = await claimOnce(store, machineId);
      if (outcome.kind !== "claimed") throw new Error(`breakdown: the queue ran dry after ${i} claims`);
      claimed.push(outcome);
    }
    const claim = (await env.meter.lap()).counts;
    for (const job of claimed) await completeJob(store, job);
    const complete = (await env.meter.lap()).counts;
    await env.admin.flushall();
    return { jobs, create, claim, complete };
  } finally {
    client.disconnect();
  }
};
