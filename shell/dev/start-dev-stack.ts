// The whole pipeline on this computer, as `make dev` and the end-to-end tests run it: redis-server, the Upstash
// bridge, s3rver with both buckets, the machine launcher (fake Fly API; each machine a real worker process), the
// real Worker under wrangler dev, the storage-event relay and the cron timer. stop() takes it down in order.
import { randomBytes } from "node:crypto";
import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startUpstashBridge, type UpstashBridge } from "../upstash-bridge/start-upstash-bridge.ts";
import { type CronTimer, startCronTimer } from "./fire-cron.ts";
import { type MachineLauncher, startLocalMachineLauncher } from "./local-machine-launcher.ts";
import { findFreePort } from "./local-services/free-port.ts";
import { type LocalRedis, startLocalRedis } from "./local-services/local-redis.ts";
import { startLocalS3 } from "./local-services/local-s3.ts";
import type { RunningS3 } from "./local-services/running-services.ts";
import type { DevLog } from "./prefixed-log.ts";
import { type StorageEventRelay, startStorageEventRelay } from "./relay-storage-events.ts";
import { startWranglerDev, type WranglerDev } from "./start-wrangler-dev.ts";

export interface DevStackOptions {
  /** The repository root. */
  readonly root: string;
  /** Where Redis and S3 keep their data (kept across runs); null: temporary directories removed on stop. */
  readonly dataDir: string | null;
  /** The API's port; 0 picks a free one. */
  readonly port: number;
  /** The client API key (16+ characters). */
  readonly apiKey: string;
  /** How often the cron handler fires (production: every minute). */
  readonly cronIntervalMs: number;
  /** Control-plane variables laid over wrangler.toml's [vars] (MAX_MACHINES, WORKER_TTL_MS, LEASE_MS, ...). */
  readonly vars?: Readonly<Record<string, string>>;
  /** Extra environment for every machine's worker process (FFMPEG_PATH, ...). */
  readonly machineEnv?: Readonly<Record<string, string>>;
  readonly log: DevLog;
}

export interface DevStack {
  /** http://127.0.0.1:<port> */
  readonly apiUrl: string;
  readonly apiKey: string;
  readonly launcher: MachineLauncher;
  readonly redis: LocalRedis;
  readonly s3: RunningS3;
  readonly bridge: UpstashBridge;
  readonly inputBucket: string;
  readonly outputBucket: string;
  /** REDIS_PREFIX of this stack's keys. */
  readonly redisPrefix: string;
  /** Runs the Worker's scheduled handler now (after a run in progress); answers the HTTP status. */
  fireCron(): Promise<number>;
  /** Stops everything, machines first (they report to the Worker and Redis), and removes what was temporary. */
  stop(): Promise<void>;
}

// wrangler.toml's names; a stack never needs others.
const INPUT_BUCKET = "tcoder-inputs";
const OUTPUT_BUCKET = "tcoder-outputs";
const REDIS_PREFIX = "tcoder";
const CRON = "* * * * *";
const FLY_APP = "tcoder-local";

const secret = (bytes: number): string => randomBytes(bytes).toString("hex");

export const startDevStack = async (options: DevStackOptions): Promise<DevStack> => {
  const { log } = options;
  const stateDir = options.dataDir ?? (await mkdtemp(join(tmpdir(), "tcoder-stack-")));
  await mkdir(stateDir, { recursive: true });
  const kept = (name: string) => (options.dataDir === null ? undefined : join(stateDir, name));
  // Stopped in reverse order of start; each step registers its undo as soon as it is up.
  const undo: { readonly name: string; readonly run: () => Promise<void> }[] = [];
  const stopAll = async () => {
    const failures: string[] = [];
    for (const step of undo.splice(0).reverse()) {
      try {
        await step.run();
      } catch (error) {
        failures.push(`${step.name}: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
    if (options.dataDir === null) await rm(stateDir, { recursive: true, force: true });
    if (failures.length > 0) throw new Error(`stopping the stack: ${failures.join("; ")}`);
  };

  try {
    const redisDir = kept("redis");
    const redis = await startLocalRedis({
      appendonly: true,
      ...(redisDir === undefined ? {} : { dataDir: redisDir }),
      ownProcessGroup: true,
      onLog: (line) => log("redis", line),
    });
    undo.push({ name: "redis", run: () => redis.stop() });
    log("redis", `ready on ${redis.url} (data: ${redisDir ?? "temporary"})`);

    const bridgeToken = secret(16);
    const bridge = await startUpstashBridge({
      redisUrl: redis.url,
      token: bridgeToken,
      port: 0,
      onRequest: (event) => {
        // Scripts missing from the cache (NOSCRIPT, 400) are normal; server-side trouble is not.
        if (event.status >= 500 || event.status === 401) {
          log("bridge", `${event.route} ${event.commands.join(",")} → ${event.status}`);
        }
      },
    });
    undo.push({ name: "bridge", run: () => bridge.close() });
    log("bridge", `Upstash REST on ${bridge.url} → ${redis.url}`);

    const s3Dir = kept("s3");
    const s3 = await startLocalS3(
      { accessKeyId: `TCODERDEV${secret(5).toUpperCase()}`, secretAccessKey: secret(24) },
      {
        ...(s3Dir === undefined ? {} : { directory: s3Dir }),
        buckets: [
          { name: INPUT_BUCKET, cors: true },
          { name: OUTPUT_BUCKET, cors: true },
        ],
        onRequest: (line) => log("s3", line),
      },
    );
    undo.push({ name: "s3", run: () => s3.stop() });
    log(
      "s3",
      `s3rver on ${s3.endpoint}, buckets ${INPUT_BUCKET} and ${OUTPUT_BUCKET} (data: ${s3Dir ?? "temporary"})`,
    );

    const port = options.port === 0 ? await findFreePort() : options.port;
    const apiUrl = `http://127.0.0.1:${port}`;
    const flyToken = secret(16);
    const workDir = join(stateDir, "work");
    await mkdir(workDir, { recursive: true });
    // One secret per purpose; only the control plane holds them (machines get a callback key of their own).
    const callbackSecret = secret(24);
    const eventSecret = secret(24);
    const launcher = await startLocalMachineLauncher({
      appName: FLY_APP,
      token: flyToken,
      command: [join(options.root, "node_modules/.bin/bun"), join(options.root, "worker-image/main.ts")],
      cwd: options.root,
      // Only what a machine's image would have; the spawner's env (set by the control plane) is laid over it.
      baseEnv: {
        PATH: process.env.PATH ?? "",
        HOME: process.env.HOME ?? "/tmp",
        WORK_DIR: workDir,
        ...options.machineEnv,
      },
      // What make deploy sets with `fly secrets import`: the workers' credentials, never in a machine's env.
      appSecrets: {
        UPSTASH_REDIS_REST_URL: bridge.url,
        UPSTASH_REDIS_REST_TOKEN: bridgeToken,
        S3_ACCESS_KEY_ID: s3.accessKeyId,
        S3_SECRET_ACCESS_KEY: s3.secretAccessKey,
      },
      log: (id, line) => log(`machine ${id}`, line),
      now: Date.now,
    });
    undo.push({ name: "machines", run: () => launcher.close() });
    log(
      "machines",
      `fake Fly Machines API on ${launcher.fly.url}; each machine runs bun worker-image/main.ts`,
    );

    const vars: Record<string, string> = {
      TCODER_API_KEY: options.apiKey,
      UPSTASH_REDIS_REST_URL: bridge.url,
      UPSTASH_REDIS_REST_TOKEN: bridgeToken,
      REDIS_PREFIX,
      S3_ENDPOINT: s3.endpoint,
      S3_ACCESS_KEY_ID: s3.accessKeyId,
      S3_SECRET_ACCESS_KEY: s3.secretAccessKey,
      INPUT_BUCKET,
      OUTPUT_BUCKET,
      FLY_API_TOKEN: flyToken,
      FLY_APP,
      FLY_API_BASE_URL: launcher.fly.url,
      FLY_MIN_BACKOFF_MS: "100",
      WORKER_IMAGE: "local/tcoder-worker:dev",
      CALLBACK_SECRET: callbackSecret,
      MEDIA_SECRET: secret(24),
      EVENT_SECRET: eventSecret,
      PUBLIC_URL: apiUrl,
      // Webhooks and URL ingest may target this computer.
      ALLOW_PRIVATE_URLS: "true",
      ...options.vars,
    };
    const wrangler: WranglerDev = await startWranglerDev({
      root: options.root,
      port,
      inspectorPort: await findFreePort(),
      env: vars,
      envFile: join(stateDir, "worker.env"),
      persistTo: join(stateDir, "wrangler"),
      log: (line) => log("api", line),
    });
    // Before the launcher's: machines must stop while the Worker still takes their callbacks.
    undo.splice(
      undo.findIndex((step) => step.name === "machines"),
      0,
      { name: "api", run: () => wrangler.stop() },
    );

    const relay: StorageEventRelay = startStorageEventRelay({
      s3,
      bucket: INPUT_BUCKET,
      apiUrl,
      eventSecret,
      account: "local",
      log: (line) => log("events", line),
      now: Date.now,
    });
    undo.push({ name: "events", run: () => relay.stop() });

    const cron: CronTimer = startCronTimer({
      apiUrl,
      cron: CRON,
      intervalMs: options.cronIntervalMs,
      log: (line) => log("cron", line),
    });
    undo.push({ name: "cron", run: () => cron.stop() });

    return {
      apiUrl,
      apiKey: options.apiKey,
      launcher,
      redis,
      s3,
      bridge,
      inputBucket: INPUT_BUCKET,
      outputBucket: OUTPUT_BUCKET,
      redisPrefix: REDIS_PREFIX,
      fireCron: () => cron.fireNow(),
      stop: stopAll,
    };
  } catch (error) {
    await stopAll().catch(() => undefined);
    throw error;
  }
};
