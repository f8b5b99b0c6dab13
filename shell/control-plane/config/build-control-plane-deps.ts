// Builds the ports from the configuration: the one place clients are constructed (each runtime's root calls it).
import { createFlyMachines } from "../../fly/create-fly-machines.ts";
import { jobStore } from "../../redis/job-store.ts";
import { redisKeys } from "../../redis/key-schema.ts";
import { machineStore } from "../../redis/machine-store.ts";
import { ownerJobs } from "../../redis/owner-jobs.ts";
import { timeIndex } from "../../redis/time-index.ts";
import { upstashClient, upstashScriptRunner } from "../../redis/upstash-script-runner.ts";
import { webhookOutbox } from "../../redis/webhook-outbox.ts";
import { createS3ObjectStore } from "../../storage/s3-object-store.ts";
import { onceMemory } from "../callbacks/once-memory.ts";
import { machineViews } from "../machines/machine-views.ts";
import type { ControlPlaneConfig } from "./control-plane-config.ts";
import {
  type ControlPlaneDeps,
  consoleLogger,
  type EventQueue,
  type Logger,
  type OutboundFetch,
} from "./control-plane-deps.ts";

export interface RuntimeParts {
  readonly clock?: () => number;
  readonly outbound?: OutboundFetch;
  readonly resolveHost?: ((host: string) => Promise<readonly string[]>) | null;
  readonly eventQueue?: EventQueue | null;
  readonly log?: Logger;
}

const hex = (bytes: Uint8Array): string => [...bytes].map((b) => b.toString(16).padStart(2, "0")).join("");

/** `<prefix>_<24 hex>` from the runtime's CSPRNG (WebCrypto: workerd, Bun and Node alike). */
export const randomId = (prefix: string): string =>
  `${prefix}_${hex(crypto.getRandomValues(new Uint8Array(12)))}`;

export const buildControlPlaneDeps = (
  config: ControlPlaneConfig,
  runtime: RuntimeParts = {},
): ControlPlaneDeps => {
  const clock = runtime.clock ?? Date.now;
  const runner = upstashScriptRunner(
    upstashClient({ url: config.redis.url, token: config.redis.token, timeoutMs: config.redis.timeoutMs }),
  );
  const keys = redisKeys(config.redis.prefix);
  const jobs = jobStore(runner, keys);
  const machines = machineStore(
    runner,
    keys,
    jobs,
    {
      admission: config.admission,
      leaseMs: config.leaseMs,
      retryPolicy: config.retryPolicy,
      stopGraceMs: config.stopGraceMs,
    },
    clock,
  );
  const store = (bucket: string) =>
    createS3ObjectStore(
      {
        endpoint: config.storage.endpoint,
        bucket,
        accessKeyId: config.storage.accessKeyId,
        secretAccessKey: config.storage.secretAccessKey,
        timeoutMs: config.storage.timeoutMs,
      },
      { now: clock },
    );
  const fly = createFlyMachines({
    ...(config.fly.baseUrl === null ? {} : { baseUrl: config.fly.baseUrl }),
    appName: config.fly.appName,
    token: config.fly.token,
    requestTimeoutMs: config.fly.requestTimeoutMs,
    retry: {
      retries: config.fly.retries,
      minTimeoutMs: config.fly.minBackoffMs,
      maxTimeoutMs: Math.max(config.fly.minBackoffMs, 8_000),
    },
    now: clock,
  });
  return {
    config,
    jobs,
    owners: ownerJobs(runner, keys, clock),
    machines,
    views: machineViews(runner, keys, config.admission, clock),
    memory: onceMemory(runner, keys),
    outbox: webhookOutbox(runner, keys),
    jobIndexes: { intake: timeIndex(runner, keys.jobsIntake), ended: timeIndex(runner, keys.jobsEnded) },
    inputs: store(config.storage.inputBucket),
    outputs: store(config.storage.outputBucket),
    fly,
    clock,
    newId: randomId,
    outbound: runtime.outbound ?? ((url, init) => fetch(url, init)),
    resolveHost: runtime.resolveHost ?? null,
    eventQueue: runtime.eventQueue ?? null,
    log: runtime.log ?? consoleLogger({ service: "tcoder-control-plane" }),
  };
};
