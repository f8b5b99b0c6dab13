// The control plane's settings, read once from the environment (Worker vars and secrets, or process.env) with
// valibot. Bad configuration throws with every problem listed, naming secrets but never echoing their values.
import * as v from "valibot";
import type { KeyLimitSettings } from "../../../core/decide-job-acceptance.ts";
import { type JobRetryPolicy, jobRetryPolicy } from "../../../core/decide-job-retry.ts";
import type { MachineGuest } from "../../../core/machine-guest.ts";
import { partSizeFor } from "../../../core/plan-upload.ts";
import { FLY_PRICES_2026, priceMachineTime } from "../../../core/price-machine-time.ts";
import type { MachineAdmissionConfig } from "../../redis/admit-machines.ts";
import { type Env, EnvSchema, SECRET_VARS } from "./control-plane-env.ts";
import { parseGuest } from "./parse-pool-guest.ts";
import { sharedSecrets } from "./shared-secrets.ts";

export { SECRET_VARS } from "./control-plane-env.ts";

/** One buffered part of URL ingest, with its copy in flight, stays well inside a Worker's 128 MB. */
export const MAX_INGEST_PART_BYTES = 32 * 1024 * 1024;

export interface ControlPlaneConfig {
  /** Client API keys (raw; compared as SHA-256 digests). */
  readonly apiKeys: readonly string[];
  readonly redis: {
    readonly url: string;
    readonly token: string;
    readonly prefix: string;
    readonly timeoutMs: number;
  };
  readonly storage: {
    readonly endpoint: string;
    readonly accessKeyId: string;
    readonly secretAccessKey: string;
    readonly inputBucket: string;
    readonly outputBucket: string;
    readonly timeoutMs: number;
  };
  readonly fly: {
    readonly baseUrl: string | null;
    readonly appName: string;
    readonly token: string;
    readonly region: string;
    readonly image: string;
    readonly requestTimeoutMs: number;
    readonly retries: number;
    readonly minBackoffMs: number;
  };
  /** The control plane's own public base URL: callback URL for workers, base of media URLs in webhooks. */
  readonly publicUrl: string | null;
  /** Roots of the machines' callback keys: the current secret first, a retiring one during rotation. */
  readonly callbackSecrets: readonly string[];
  /** Signs storage events relayed to POST /internal/events; null: the route is off. */
  readonly eventSecret: string | null;
  readonly webhook: {
    readonly secret: string | null;
    readonly timeoutMs: number;
    readonly retries: number;
    readonly minBackoffMs: number;
    /** The cron sends a webhook still owed this long after its job finished (the first sender gave up or died). */
    readonly outboxAfterMs: number;
    /** An owed webhook whose job finished this long ago is dropped (logged) instead of tried again. */
    readonly giveUpAfterMs: number;
    /** An owed webhook's wait after its first failed attempt, doubled after each further one... */
    readonly outboxBackoffMs: number;
    /** ...up to this. */
    readonly outboxMaxBackoffMs: number;
  };
  readonly media: {
    readonly secret: string;
    readonly ttlSeconds: number;
    readonly publicBaseUrl: string | null;
  };
  readonly downloadUrlTtlSeconds: number;
  readonly uploads: {
    readonly urlTtlSeconds: number;
    readonly maxBytes: number;
    readonly multipartThresholdBytes: number;
    readonly partBytes: number;
    /** How long a multipart part URL works (up to R2's 7 days). */
    readonly partUrlTtlSeconds: number;
    /** Part URLs in the upload's answer; the rest come from POST /api/upload/:id/parts. */
    readonly partsListed: number;
    readonly idempotencyTtlSeconds: number;
    /** An upload may still arrive this long after its URL expired; then its job is cancelled. */
    readonly graceSeconds: number;
    /** The cron first looks in storage for an upload this long after its job was created. */
    readonly checkSeconds: number;
  };
  /** Inputs are deleted this many days after their job ended. */
  readonly inputRetentionDays: number;
  readonly ingest: {
    readonly maxBytes: number;
    readonly timeoutMs: number;
    /** Part size for a source of unknown length: small enough to buffer in an isolate, ≤ 10,000 parts in all. */
    readonly partBytes: number;
  };
  /** Let URL ingest and webhooks reach loopback and private addresses (local development only). */
  readonly allowPrivateUrls: boolean;
  readonly limits: {
    readonly maxBodyBytes: number;
    readonly maxCallbackBytes: number;
    readonly maxPendingJobs: number;
  };
  /** Per API key: every key's budget and pending cap (null: none), and overrides by key id (KEY_LIMITS). */
  readonly keyLimits: KeyLimitSettings;
  readonly admission: MachineAdmissionConfig;
  readonly respawnAfterMs: number;
  readonly leaseMs: number;
  /** How long a released machine's slot stays taken while it stops. */
  readonly stopGraceMs: number;
  readonly retryPolicy: JobRetryPolicy;
  readonly spawnMode: "pool" | "single-job";
  /** What pool workers are told (contracts: worker environment). */
  readonly worker: {
    readonly ttlMs: number;
    readonly maxJobs: number;
    readonly drainMs: number;
    /** An idle worker exits this long after its last job unless work is expected. */
    readonly idleExitMs: number;
    /** SPLIT_AFTER_SECONDS and SPLIT_CHUNK_SECONDS, passed on as they are (the worker rounds the chunk). */
    readonly split: { readonly afterSeconds: number; readonly chunkSeconds: number };
    readonly heartbeatMs: number;
    readonly guest: MachineGuest;
    /** The object store endpoint workers use (their credentials are Fly app secrets, not ours to pass). */
    readonly s3Endpoint: string;
  };
}

const r2Endpoint = (accountId: string): string | null =>
  /^[0-9a-f]{32}$/i.test(accountId) ? `https://${accountId.toLowerCase()}.r2.cloudflarestorage.com` : null;

const issueText = (issue: v.BaseIssue<unknown>): string => {
  const path = v.getDotPath(issue) ?? "env";
  // valibot quotes the received value in its messages: never for a secret.
  return (SECRET_VARS as readonly string[]).includes(path) ? `${path}: invalid` : `${path}: ${issue.message}`;
};

/** Reads the configuration; throws one Error listing every problem. `env` may hold non-string bindings too. */
export const parseControlPlaneConfig = (env: Readonly<Record<string, unknown>>): ControlPlaneConfig => {
  const strings = Object.fromEntries(Object.entries(env).filter(([, value]) => typeof value === "string"));
  const parsed = v.safeParse(EnvSchema, strings);
  if (!parsed.success) {
    throw new Error(`invalid control-plane config: ${parsed.issues.map(issueText).join("; ")}`);
  }
  const built = buildConfig(parsed.output);
  if (typeof built === "string") throw new Error(`invalid control-plane config: ${built}`);
  return built;
};

const buildConfig = (env: Env): ControlPlaneConfig | string => {
  const problems: string[] = [];
  const apiKeys = [...env.TCODER_API_KEYS, ...(env.TCODER_API_KEY ? [env.TCODER_API_KEY] : [])];
  if (apiKeys.length === 0)
    problems.push("TCODER_API_KEYS (or TCODER_API_KEY): at least one key is required");
  if (apiKeys.some((key) => key.length < 16))
    problems.push("TCODER_API_KEYS: every key needs 16+ characters");
  const endpoint = env.S3_ENDPOINT ?? (env.R2_ACCOUNT_ID ? r2Endpoint(env.R2_ACCOUNT_ID) : null);
  if (endpoint === null) problems.push("S3_ENDPOINT (or a 32-hex R2_ACCOUNT_ID) is required");
  const accessKeyId = env.S3_ACCESS_KEY_ID ?? env.R2_ACCESS_KEY_ID;
  const secretAccessKey = env.S3_SECRET_ACCESS_KEY ?? env.R2_SECRET_ACCESS_KEY;
  if (!accessKeyId) problems.push("S3_ACCESS_KEY_ID (or R2_ACCESS_KEY_ID) is required");
  if (!secretAccessKey) problems.push("S3_SECRET_ACCESS_KEY (or R2_SECRET_ACCESS_KEY) is required");
  const guest = parseGuest(env.POOL_GUEST);
  if (typeof guest === "string") problems.push(guest);
  const ingestPartBytes = partSizeFor(env.INGEST_MAX_BYTES, env.INGEST_PART_BYTES);
  if (ingestPartBytes > MAX_INGEST_PART_BYTES) {
    problems.push(
      `INGEST_MAX_BYTES is too large for URL ingest: 10,000 parts of it are ${ingestPartBytes} bytes each, over the ` +
        `${MAX_INGEST_PART_BYTES} a Worker can buffer (128 MB isolate)`,
    );
  }
  if (env.WORKER_DRAIN_MS >= env.WORKER_TTL_MS) problems.push("WORKER_DRAIN_MS must be below WORKER_TTL_MS");
  if (env.HEARTBEAT_MS >= env.LEASE_MS) problems.push("HEARTBEAT_MS must be below LEASE_MS");
  if (env.SPAWN_MODE === "single-job" && env.PUBLIC_URL === null) {
    problems.push("PUBLIC_URL is required in single-job mode (workers report through callbacks)");
  }
  if (env.WEBHOOK_SECRET !== null && env.PUBLIC_URL === null) {
    problems.push("PUBLIC_URL is required with WEBHOOK_SECRET (webhooks follow the workers' callbacks)");
  }
  if (env.WEBHOOK_GIVE_UP_AFTER_MS <= env.WEBHOOK_OUTBOX_AFTER_MS) {
    problems.push("WEBHOOK_GIVE_UP_AFTER_MS must be above WEBHOOK_OUTBOX_AFTER_MS");
  }
  if (env.WEBHOOK_OUTBOX_MAX_BACKOFF_MS < env.WEBHOOK_OUTBOX_BACKOFF_MS) {
    problems.push("WEBHOOK_OUTBOX_MAX_BACKOFF_MS must be at least WEBHOOK_OUTBOX_BACKOFF_MS");
  }
  problems.push(...sharedSecrets(env));
  if (problems.length > 0 || endpoint === null || typeof guest === "string") return problems.join("; ");

  // Admission reserves a machine's worst case against the budget: its whole life (TTL) at the pool guest's price.
  const machineMaxCostUsd = Math.max(
    1e-6,
    priceMachineTime(guest, env.WORKER_TTL_MS / 1000, FLY_PRICES_2026),
  );
  const callbackSecrets = [
    env.CALLBACK_SECRET,
    ...(env.CALLBACK_SECRET_PREVIOUS ? [env.CALLBACK_SECRET_PREVIOUS] : []),
  ];
  return {
    apiKeys,
    redis: {
      url: env.UPSTASH_REDIS_REST_URL,
      token: env.UPSTASH_REDIS_REST_TOKEN,
      prefix: env.REDIS_PREFIX,
      timeoutMs: env.REDIS_TIMEOUT_MS,
    },
    storage: {
      endpoint,
      accessKeyId: accessKeyId as string,
      secretAccessKey: secretAccessKey as string,
      inputBucket: env.INPUT_BUCKET,
      outputBucket: env.OUTPUT_BUCKET,
      timeoutMs: env.S3_TIMEOUT_MS,
    },
    fly: {
      baseUrl: env.FLY_API_BASE_URL,
      appName: env.FLY_APP,
      token: env.FLY_API_TOKEN,
      region: env.FLY_REGION,
      image: env.WORKER_IMAGE,
      requestTimeoutMs: env.FLY_REQUEST_TIMEOUT_MS,
      retries: env.FLY_RETRIES,
      minBackoffMs: env.FLY_MIN_BACKOFF_MS,
    },
    publicUrl: env.PUBLIC_URL,
    callbackSecrets,
    eventSecret: env.EVENT_SECRET,
    webhook: {
      secret: env.WEBHOOK_SECRET,
      timeoutMs: env.WEBHOOK_TIMEOUT_MS,
      retries: env.WEBHOOK_RETRIES,
      minBackoffMs: env.WEBHOOK_MIN_BACKOFF_MS,
      outboxAfterMs: env.WEBHOOK_OUTBOX_AFTER_MS,
      giveUpAfterMs: env.WEBHOOK_GIVE_UP_AFTER_MS,
      outboxBackoffMs: env.WEBHOOK_OUTBOX_BACKOFF_MS,
      outboxMaxBackoffMs: env.WEBHOOK_OUTBOX_MAX_BACKOFF_MS,
    },
    media: {
      secret: env.MEDIA_SECRET,
      ttlSeconds: env.MEDIA_URL_TTL_SECONDS,
      publicBaseUrl: env.PUBLIC_MEDIA_BASE_URL,
    },
    downloadUrlTtlSeconds: env.DOWNLOAD_URL_TTL_SECONDS,
    uploads: {
      urlTtlSeconds: env.UPLOAD_URL_TTL_SECONDS,
      maxBytes: env.MAX_UPLOAD_BYTES,
      multipartThresholdBytes: env.MULTIPART_THRESHOLD_BYTES,
      partBytes: env.MULTIPART_PART_BYTES,
      partUrlTtlSeconds: env.MULTIPART_URL_TTL_SECONDS,
      partsListed: env.MULTIPART_PARTS_LISTED,
      idempotencyTtlSeconds: env.IDEMPOTENCY_TTL_SECONDS,
      graceSeconds: env.UPLOAD_GRACE_SECONDS,
      checkSeconds: env.UPLOAD_CHECK_SECONDS,
    },
    inputRetentionDays: env.INPUT_RETENTION_DAYS,
    ingest: { maxBytes: env.INGEST_MAX_BYTES, timeoutMs: env.INGEST_TIMEOUT_MS, partBytes: ingestPartBytes },
    allowPrivateUrls: env.ALLOW_PRIVATE_URLS,
    limits: {
      maxBodyBytes: env.MAX_BODY_BYTES,
      maxCallbackBytes: env.MAX_CALLBACK_BYTES,
      maxPendingJobs: env.MAX_PENDING_JOBS,
    },
    keyLimits: {
      defaults: { monthlyBudgetUsd: env.KEY_MONTHLY_BUDGET_USD, maxPendingJobs: env.KEY_MAX_PENDING_JOBS },
      overrides: env.KEY_LIMITS,
    },
    admission: {
      maxMachines: env.MAX_MACHINES,
      spawnRate: { maxSpawns: env.SPAWN_RATE_MAX, windowMs: env.SPAWN_RATE_WINDOW_MS },
      monthlyBudgetUsd: env.MONTHLY_BUDGET_USD,
      machineMaxCostUsd,
      capacityRetryMs: env.CAPACITY_RETRY_MS,
      bootDeadlineMs: env.BOOT_DEADLINE_MS,
    },
    respawnAfterMs: env.RESPAWN_AFTER_MS,
    leaseMs: env.LEASE_MS,
    stopGraceMs: env.MACHINE_STOP_GRACE_MS,
    retryPolicy: jobRetryPolicy({ maxAttempts: env.MAX_ATTEMPTS }),
    spawnMode: env.SPAWN_MODE,
    worker: {
      ttlMs: env.WORKER_TTL_MS,
      maxJobs: env.WORKER_MAX_JOBS,
      drainMs: env.WORKER_DRAIN_MS,
      idleExitMs: env.WORKER_IDLE_EXIT_MS,
      split: { afterSeconds: env.SPLIT_AFTER_SECONDS, chunkSeconds: env.SPLIT_CHUNK_SECONDS },
      heartbeatMs: env.HEARTBEAT_MS,
      guest,
      s3Endpoint: env.WORKER_S3_ENDPOINT ?? endpoint,
    },
  };
};
