// What a benchmark of real pool workers needs: a dedicated redis-server, the Upstash REST bridge the workers talk
// to, s3rver with an input and an output bucket, jobs created from files (streamed upload, then enqueued), and the
// environment of a worker process. Used by bench/worker.ts and bench/split.ts.
import { randomBytes } from "node:crypto";
import { stat } from "node:fs/promises";
import { Redis } from "ioredis";
import { DEFAULT_JOB_RETRY_POLICY } from "../core/decide-job-retry.ts";
import { applyJobCommand } from "../core/job-lifecycle/apply-job-command.ts";
import { initialJobState, type Job } from "../core/job-lifecycle/job-state.ts";
import type { PresetName } from "../core/preset-names.ts";
import { startLocalS3 } from "../shell/dev/local-services/local-s3.ts";
import { ioredisScriptRunner } from "../shell/redis/ioredis-script-runner.ts";
import { jobStore } from "../shell/redis/job-store.ts";
import { redisKeys } from "../shell/redis/key-schema.ts";
import type { ObjectStore } from "../shell/storage/object-store.ts";
import { createS3ObjectStore } from "../shell/storage/s3-object-store.ts";
import { startUpstashBridge } from "../shell/upstash-bridge/start-upstash-bridge.ts";
import { startBenchRedis } from "./redis-server.ts";

const PART_SIZE = 16 * 1024 * 1024;
const INPUT_BUCKET = "bench-in";
const OUTPUT_BUCKET = "bench-out";

export interface WorkerServices {
  /** A pool worker's environment on these services. */
  readonly env: (machineId: string, workDir: string) => Record<string, string>;
  /** Uploads the file (multipart, streamed), then creates the job and enqueues it: its queuedAt is the enqueue. */
  readonly createJob: (path: string, preset: PresetName) => Promise<Job>;
  readonly load: (jobId: string) => Promise<Job>;
  readonly output: ObjectStore;
  /** Stops everything it started; safe to call twice. */
  readonly stop: () => Promise<void>;
}

export const startWorkerServices = async (label: string): Promise<WorkerServices> => {
  const redis = await startBenchRedis();
  const admin = new Redis(redis.url);
  const token = randomBytes(16).toString("hex");
  const stops: (() => Promise<void>)[] = [redis.stop, async () => admin.disconnect()];
  let stopped: Promise<void> | null = null;
  const stop = () => {
    stopped ??= (async () => {
      for (const close of stops.reverse()) await close().catch(() => {});
    })();
    return stopped;
  };
  try {
    const bridge = await startUpstashBridge({ redisUrl: redis.url, token, port: 0 });
    stops.push(() => bridge.close());
    const s3 = await startLocalS3({
      accessKeyId: `BENCH${randomBytes(4).toString("hex").toUpperCase()}`,
      secretAccessKey: randomBytes(24).toString("hex"),
    });
    stops.push(() => s3.stop());
    await Promise.all([s3.createBucket(INPUT_BUCKET), s3.createBucket(OUTPUT_BUCKET)]);
    const store = (bucket: string) =>
      createS3ObjectStore({ ...s3, bucket, timeoutMs: 120_000 }, { now: Date.now });
    const input = store(INPUT_BUCKET);
    const prefix = `bench:${label}:`;
    const jobs = jobStore(ioredisScriptRunner(admin), redisKeys(prefix));
    return {
      env: (machineId, workDir) => ({
        TCODER_MACHINE_ID: machineId,
        UPSTASH_REDIS_REST_URL: bridge.url,
        UPSTASH_REDIS_REST_TOKEN: token,
        REDIS_PREFIX: prefix,
        S3_ENDPOINT: s3.endpoint,
        S3_ACCESS_KEY_ID: s3.accessKeyId,
        S3_SECRET_ACCESS_KEY: s3.secretAccessKey,
        INPUT_BUCKET,
        OUTPUT_BUCKET,
        MAX_MACHINES: "100",
        WORK_DIR: workDir,
      }),
      createJob: async (path, preset) => {
        const jobId = `job_${randomBytes(8).toString("hex")}`;
        const inputKey = `uploads/${jobId}/input.mp4`;
        const size = (await stat(path)).size;
        (
          await input.putLarge(inputKey, Bun.file(path).stream(), {
            contentType: "video/mp4",
            partSizeBytes: PART_SIZE,
          })
        )._unsafeUnwrap();
        const at = Date.now();
        const policy = DEFAULT_JOB_RETRY_POLICY;
        const created = applyJobCommand(
          { type: "create", jobId, preset, inputKey, source: "upload", at },
          initialJobState,
          policy,
        )._unsafeUnwrap().state;
        const confirmed = applyJobCommand(
          { type: "confirm-upload", size, at },
          created,
          policy,
        )._unsafeUnwrap().state;
        const job = applyJobCommand({ type: "enqueue", at }, confirmed, policy)._unsafeUnwrap().state as Job;
        (await jobs.create({ job, meta: { webhookUrl: null, filename: "input.mp4" } }))._unsafeUnwrap();
        return job;
      },
      load: async (jobId) => {
        const record = (await jobs.load(jobId))._unsafeUnwrap();
        if (record === null) throw new Error(`job ${jobId} vanished`);
        return record.job;
      },
      output: store(OUTPUT_BUCKET),
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
};
