// A job store on the shared redis-server under a fresh key prefix, plus helpers to build jobs with the core.
import { randomBytes } from "node:crypto";
import { Redis } from "ioredis";
import { inject } from "vitest";
import { DEFAULT_JOB_RETRY_POLICY, type JobRetryPolicy } from "../../core/decide-job-retry.ts";
import { applyJobCommand } from "../../core/job-lifecycle/apply-job-command.ts";
import { initialJobState, type Job } from "../../core/job-lifecycle/job-state.ts";
import type { PresetName } from "../../core/preset-names.ts";
import { ioredisScriptRunner } from "../../shell/redis/ioredis-script-runner.ts";
import { jobStore } from "../../shell/redis/job-store.ts";
import { redisKeys } from "../../shell/redis/key-schema.ts";
import { uniquePrefix } from "../services/test-namespace.ts";
import { redisClock } from "./redis-clock.ts";

export const newJobId = (): string => `job_${randomBytes(8).toString("hex")}`;

/** A job built by the decider: `created` (upload) or `created` + `enqueued` (URL ingest, so pending). */
export const buildJob = (
  opts: { jobId?: string; source?: "upload" | "url"; preset?: PresetName; at?: number },
  policy: JobRetryPolicy = DEFAULT_JOB_RETRY_POLICY,
): Job => {
  const jobId = opts.jobId ?? newJobId();
  const at = opts.at ?? 1_700_000_000_000;
  const created = applyJobCommand(
    {
      type: "create",
      jobId,
      preset: opts.preset ?? "web-optimized",
      inputKey: `uploads/${jobId}/clip.mp4`,
      source: opts.source ?? "url",
      at,
    },
    initialJobState,
    policy,
  )._unsafeUnwrap().state;
  if (created.status === "queued") {
    const enqueued = applyJobCommand({ type: "enqueue", at }, created, policy)._unsafeUnwrap().state;
    return enqueued as Job;
  }
  return created as Job;
};

export const rwosContext = (label: string) => {
  const redis = new Redis(inject("redisUrl"), { maxRetriesPerRequest: 1 });
  const keys = redisKeys(uniquePrefix(label));
  const runner = ioredisScriptRunner(redis);
  const store = jobStore(runner, keys);
  /** Redis's own clock in ms, the clock every lease uses. */
  const redisNow = redisClock(redis).now;
  return { redis, keys, runner, store, redisNow, close: () => redis.quit() };
};
