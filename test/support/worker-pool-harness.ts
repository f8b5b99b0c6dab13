// Everything a pool-mode worker test needs on the shared services: the Upstash REST bridge the worker talks to,
// a job store on a fresh key prefix, input and output buckets, jobs created from fixtures, and the worker's env.
import { randomBytes } from "node:crypto";
import { readFile } from "node:fs/promises";
import { basename } from "node:path";
import { Redis } from "ioredis";
import { inject } from "vitest";
import { DEFAULT_JOB_RETRY_POLICY, type JobRetryPolicy } from "../../core/decide-job-retry.ts";
import { applyJobCommand } from "../../core/job-lifecycle/apply-job-command.ts";
import { initialJobState, type Job } from "../../core/job-lifecycle/job-state.ts";
import type { PresetName } from "../../core/preset-names.ts";
import { safeInputKey } from "../../core/safe-input-key.ts";
import { ioredisScriptRunner } from "../../shell/redis/ioredis-script-runner.ts";
import { type JobStore, jobStore } from "../../shell/redis/job-store.ts";
import { type RedisKeys, redisKeys } from "../../shell/redis/key-schema.ts";
import { runLeaseSweep } from "../../shell/redis/run-lease-sweep.ts";
import type { ObjectStore } from "../../shell/storage/object-store.ts";
import { createS3ObjectStore } from "../../shell/storage/s3-object-store.ts";
import type { UpstashBridge } from "../../shell/upstash-bridge/start-upstash-bridge.ts";
import { createTestBucket, uniquePrefix } from "../services/test-namespace.ts";
import { redisClock } from "./redis-clock.ts";
import { type RestRunner, startRestRunner } from "./upstash-rest-runner.ts";

export interface PoolHarness {
  readonly redis: Redis;
  readonly keys: RedisKeys;
  readonly store: JobStore;
  /** The Upstash bridge the workers talk to (its faults and latency stand for Upstash's). */
  readonly bridge: UpstashBridge;
  readonly input: ObjectStore;
  readonly output: ObjectStore;
  readonly clock: ReturnType<typeof redisClock>;
  /** Uploads the file to the input bucket and creates a pending job for it (URL ingest: created + enqueued). */
  createJob(path: string, preset: PresetName): Promise<Job>;
  load(jobId: string): Promise<Job>;
  /** Polls the job until `done` accepts it. */
  waitForJob(jobId: string, done: (job: Job) => boolean, timeoutMs?: number): Promise<Job>;
  /** The environment of a pool worker for this harness; `overrides` win. */
  env(machineId: string, overrides?: Readonly<Record<string, string>>): Record<string, string>;
  sweep(policy: JobRetryPolicy): ReturnType<typeof runLeaseSweep>;
  close(): Promise<void>;
}

export const newMachineId = (): string => `m-${randomBytes(6).toString("hex")}`;
const newJobId = (): string => `job_${randomBytes(8).toString("hex")}`;

export const startPoolHarness = async (label: string): Promise<PoolHarness> => {
  const redisUrl = inject("redisUrl");
  const s3 = inject("s3");
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: 1 });
  const prefix = uniquePrefix(label);
  const keys = redisKeys(prefix);
  const runner = ioredisScriptRunner(redis);
  const store = jobStore(runner, keys);
  const rest: RestRunner = await startRestRunner(redisUrl);
  const [inputBucket, outputBucket] = await Promise.all([
    createTestBucket(s3, `${label}-in`),
    createTestBucket(s3, `${label}-out`),
  ]);
  const objectStore = (bucket: string) =>
    createS3ObjectStore(
      { endpoint: s3.endpoint, bucket, accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey },
      { now: Date.now },
    );
  const input = objectStore(inputBucket);
  const output = objectStore(outputBucket);

  const load = async (jobId: string): Promise<Job> => {
    const record = (await store.load(jobId))._unsafeUnwrap();
    if (record === null) throw new Error(`job ${jobId} does not exist`);
    return record.job;
  };

  return {
    redis,
    keys,
    store,
    bridge: rest.bridge,
    input,
    output,
    clock: redisClock(redis),
    async createJob(path, preset) {
      const jobId = newJobId();
      const inputKey = safeInputKey(jobId, basename(path))._unsafeUnwrap();
      const bytes = await readFile(path);
      (await input.put(inputKey, bytes, { contentType: "application/octet-stream" }))._unsafeUnwrap();
      const at = Date.now();
      const created = applyJobCommand(
        { type: "create", jobId, preset, inputKey, source: "url", at },
        initialJobState,
        DEFAULT_JOB_RETRY_POLICY,
      )._unsafeUnwrap().state as Job;
      const job = applyJobCommand({ type: "enqueue", at }, created, DEFAULT_JOB_RETRY_POLICY)._unsafeUnwrap()
        .state as Job;
      (await store.create({ job, meta: { webhookUrl: null, filename: basename(path) } }))._unsafeUnwrap();
      return job;
    },
    load,
    async waitForJob(jobId, done, timeoutMs = 60_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const job = await load(jobId);
        if (done(job)) return job;
        if (Date.now() > deadline) throw new Error(`job ${jobId} still ${job.status} after ${timeoutMs} ms`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    },
    env: (machineId, overrides = {}) => ({
      TCODER_MACHINE_ID: machineId,
      UPSTASH_REDIS_REST_URL: rest.url,
      UPSTASH_REDIS_REST_TOKEN: rest.token,
      REDIS_PREFIX: prefix,
      S3_ENDPOINT: s3.endpoint,
      S3_ACCESS_KEY_ID: s3.accessKeyId,
      S3_SECRET_ACCESS_KEY: s3.secretAccessKey,
      INPUT_BUCKET: inputBucket,
      OUTPUT_BUCKET: outputBucket,
      MAX_MACHINES: "10",
      ...overrides,
    }),
    sweep: (policy) => runLeaseSweep(runner, keys, store, policy, { machineMaxCostUsd: 0.01 }),
    async close() {
      await rest.close();
      await redis.quit();
    },
  };
};
