// The control plane's environment variables as one valibot schema: names, defaults and bounds in one place.
import * as v from "valibot";
import { DEFAULT_SPLIT } from "../../../core/split/plan-chunks.ts";
import {
  decimalVar,
  flagVar,
  intVar,
  listVar,
  nullableDecimalVar,
  nullableHttpUrl,
  nullableIntVar,
  nullableText,
  optionalText,
  requiredText,
} from "./env-vars.ts";
import { keyLimitsVar } from "./key-limits-var.ts";

const MIB = 1024 * 1024;
const GIB = 1024 * MIB;

/** Variables whose values must never appear in a message or a log. */
export const SECRET_VARS = [
  "TCODER_API_KEYS",
  "TCODER_API_KEY",
  "UPSTASH_REDIS_REST_TOKEN",
  "S3_SECRET_ACCESS_KEY",
  "R2_SECRET_ACCESS_KEY",
  "FLY_API_TOKEN",
  "CALLBACK_SECRET",
  "CALLBACK_SECRET_PREVIOUS",
  "WEBHOOK_SECRET",
  "MEDIA_SECRET",
  "EVENT_SECRET",
] as const;

export const EnvSchema = v.object({
  TCODER_API_KEYS: listVar(),
  TCODER_API_KEY: nullableText(),
  UPSTASH_REDIS_REST_URL: v.pipe(requiredText(), v.url("must be a URL")),
  UPSTASH_REDIS_REST_TOKEN: requiredText(),
  REDIS_PREFIX: optionalText("tcoder"),
  REDIS_TIMEOUT_MS: intVar(5_000, 100, 60_000),
  S3_ENDPOINT: nullableHttpUrl(),
  R2_ACCOUNT_ID: nullableText(),
  S3_ACCESS_KEY_ID: nullableText(),
  R2_ACCESS_KEY_ID: nullableText(),
  S3_SECRET_ACCESS_KEY: nullableText(),
  R2_SECRET_ACCESS_KEY: nullableText(),
  S3_TIMEOUT_MS: intVar(30_000, 100, 600_000),
  INPUT_BUCKET: requiredText(),
  OUTPUT_BUCKET: requiredText(),
  FLY_API_TOKEN: requiredText(),
  FLY_APP: v.pipe(requiredText(), v.regex(/^[a-z0-9][a-z0-9-]{0,62}$/, "must be a Fly app name")),
  FLY_API_BASE_URL: nullableHttpUrl(),
  FLY_REGION: optionalText("ord"),
  FLY_REQUEST_TIMEOUT_MS: intVar(15_000, 100, 120_000),
  FLY_RETRIES: intVar(4, 0, 10),
  FLY_MIN_BACKOFF_MS: intVar(500, 0, 60_000),
  WORKER_IMAGE: v.pipe(requiredText(), v.regex(/^[^\s]+$/, "must be an image reference")),
  PUBLIC_URL: nullableHttpUrl(),
  PUBLIC_MEDIA_BASE_URL: nullableHttpUrl(),
  // The root of every machine's callback key (machines get only their own key, derived from it).
  CALLBACK_SECRET: v.pipe(requiredText(), v.minLength(16, "must be at least 16 characters")),
  CALLBACK_SECRET_PREVIOUS: nullableText(),
  WEBHOOK_SECRET: nullableText(),
  WEBHOOK_TIMEOUT_MS: intVar(10_000, 100, 60_000),
  WEBHOOK_RETRIES: intVar(4, 0, 10),
  WEBHOOK_MIN_BACKOFF_MS: intVar(500, 0, 60_000),
  // Webhooks still owed this long after their job finished are sent by the cron (the sender died, or never was).
  WEBHOOK_OUTBOX_AFTER_MS: intVar(300_000, 0, 24 * 3_600_000),
  WEBHOOK_GIVE_UP_AFTER_MS: intVar(24 * 3_600_000, 1_000, 30 * 24 * 3_600_000),
  // Each owed webhook's own backoff: this long after its first failed attempt, doubling up to the max (jittered).
  WEBHOOK_OUTBOX_BACKOFF_MS: intVar(60_000, 1, 24 * 3_600_000),
  WEBHOOK_OUTBOX_MAX_BACKOFF_MS: intVar(3_600_000, 1, 24 * 3_600_000),
  // Signs media tokens (stable HLS URLs), and nothing else.
  MEDIA_SECRET: v.pipe(requiredText(), v.minLength(16, "must be at least 16 characters")),
  // Signs storage events relayed to POST /internal/events (make dev, self-hosted relays); unset: that route is off.
  EVENT_SECRET: v.pipe(
    nullableText(),
    v.check((value) => value === null || value.length >= 16, "must be at least 16 characters"),
  ),
  MEDIA_URL_TTL_SECONDS: intVar(6 * 3600, 60, 7 * 24 * 3600),
  DOWNLOAD_URL_TTL_SECONDS: intVar(3600, 60, 7 * 24 * 3600),
  UPLOAD_URL_TTL_SECONDS: intVar(900, 1, 900),
  MAX_UPLOAD_BYTES: intVar(5 * GIB, 1, 5 * 1024 * GIB),
  MULTIPART_THRESHOLD_BYTES: intVar(100 * MIB, 5 * MIB, 5 * GIB),
  MULTIPART_PART_BYTES: intVar(64 * MIB, 5 * MIB, 5 * GIB),
  // Part URLs outlive the single-PUT TTL: a large upload takes hours, and R2 accepts presigned URLs up to 7 days.
  MULTIPART_URL_TTL_SECONDS: intVar(6 * 3600, 60, 7 * 24 * 3600),
  // An upload may still arrive this long after its URL expired; then the cron cancels the job (upload-expired).
  UPLOAD_GRACE_SECONDS: intVar(600, 0, 7 * 24 * 3600),
  // The cron first looks in storage for an upload whose storage event has not come this long after the job was
  // created (then at 2, 4, 8… times that, at most 15 min apart) and takes it as the event would have.
  UPLOAD_CHECK_SECONDS: intVar(60, 1, 3600),
  // Inputs are deleted this many days after their job ended (0: at the next cron run).
  INPUT_RETENTION_DAYS: intVar(7, 0, 3650),
  // Part URLs listed in POST /api/upload's answer; the rest are signed on request (POST /api/upload/:id/parts).
  MULTIPART_PARTS_LISTED: intVar(100, 1, 10_000),
  IDEMPOTENCY_TTL_SECONDS: intVar(24 * 3600, 60, 30 * 24 * 3600),
  INGEST_MAX_BYTES: intVar(2 * GIB, 1, 5 * 1024 * GIB),
  INGEST_TIMEOUT_MS: intVar(120_000, 100, 3_600_000),
  // URL ingest without a Content-Length holds one part in the Worker's 128 MB isolate while it is sent.
  INGEST_PART_BYTES: intVar(8 * MIB, 5 * MIB, 32 * MIB),
  ALLOW_PRIVATE_URLS: flagVar(false),
  MAX_BODY_BYTES: intVar(64 * 1024, 1024, 10 * MIB),
  MAX_CALLBACK_BYTES: intVar(4 * MIB, 1024, 32 * MIB),
  MAX_PENDING_JOBS: intVar(1000, 1, 1_000_000),
  MAX_MACHINES: intVar(5, 1, 1000),
  MONTHLY_BUDGET_USD: decimalVar(50, 0),
  // Per API key (unset: no per-key limit): the cost of its jobs completed this month, and its unfinished jobs.
  KEY_MONTHLY_BUDGET_USD: nullableDecimalVar(),
  KEY_MAX_PENDING_JOBS: nullableIntVar(1, 1_000_000),
  KEY_LIMITS: keyLimitsVar(),
  SPAWN_RATE_MAX: intVar(3, 1, 1000),
  SPAWN_RATE_WINDOW_MS: intVar(10_000, 1, 3_600_000),
  CAPACITY_RETRY_MS: intVar(30_000, 1, 3_600_000),
  BOOT_DEADLINE_MS: intVar(180_000, 1_000, 3_600_000),
  RESPAWN_AFTER_MS: intVar(60_000, 1_000, 3_600_000),
  LEASE_MS: intVar(30_000, 1_000, 3_600_000),
  // A released machine's slot stays taken this long: a Fly machine still stops after its worker's last word.
  MACHINE_STOP_GRACE_MS: intVar(5_000, 0, 600_000),
  HEARTBEAT_MS: intVar(10_000, 100, 3_600_000),
  MAX_ATTEMPTS: intVar(3, 1, 100),
  WORKER_TTL_MS: intVar(300_000, 10_000, 24 * 3_600_000),
  WORKER_MAX_JOBS: intVar(3, 1, 1000),
  // Split-and-stitch (core/split/plan-chunks.ts): inputs longer than this are encoded in chunks by several
  // machines (0: never); chunks of about this many seconds, rounded to a multiple of the HLS segment.
  SPLIT_AFTER_SECONDS: intVar(DEFAULT_SPLIT.splitAfterS, 0, 30 * 24 * 3600),
  SPLIT_CHUNK_SECONDS: intVar(DEFAULT_SPLIT.chunkS, 1, 24 * 3600),
  WORKER_DRAIN_MS: intVar(60_000, 0, 24 * 3_600_000),
  // An idle worker exits this long after its last job unless work is expected (a nudge, a job in retry backoff).
  WORKER_IDLE_EXIT_MS: intVar(20_000, 1_000, 24 * 3_600_000),
  POOL_GUEST: optionalText("performance-2x-4096"),
  SPAWN_MODE: v.pipe(optionalText("pool"), v.picklist(["pool", "single-job"], "must be pool or single-job")),
  WORKER_S3_ENDPOINT: nullableHttpUrl(),
});

export type Env = v.InferOutput<typeof EnvSchema>;
