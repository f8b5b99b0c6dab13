// The worker's environment, validated once with valibot: pool mode (RWOS) without JOB_ID, single-job mode with it.
import { isAbsolute, resolve } from "node:path";
import { err, ok, Result } from "neverthrow";
import * as v from "valibot";
import { type JobRetryPolicy, jobRetryPolicy } from "../core/decide-job-retry.ts";
import { DEFAULT_POLL_DELAY, type PollDelayConfig, pollDelayConfig } from "../core/decide-poll-delay.ts";
import {
  DEFAULT_WORKER_LIFECYCLE,
  type WorkerLifecycleConfig,
  workerLifecycleConfig,
} from "../core/decide-worker-phase.ts";
import { DEFAULT_PLAN_LIMITS, type PlanLimits } from "../core/ffmpeg/check-input.ts";
import { type MachineGuest, MachineGuestSchema } from "../core/machine-guest.ts";
import { type PresetName, PresetNameSchema } from "../core/preset-names.ts";
import { DEFAULT_SPLIT, type SplitSettings, splitSettings } from "../core/split/plan-chunks.ts";

/** Where single-job mode reads its input or writes its output: a presigned URL or a local path. */
export type Location =
  | { readonly kind: "http"; readonly url: string }
  | { readonly kind: "file"; readonly path: string };

export interface CallbackTarget {
  readonly url: string;
  readonly secret: string;
}

export interface CommonConfig {
  readonly ffmpegPath: string;
  readonly ffprobePath: string;
  readonly workDir: string;
  readonly limits: PlanLimits;
  readonly callback: CallbackTarget | null;
  /** Pool inputs of at least this size are read in place through a presigned URL instead of being downloaded. */
  readonly streamInputMinBytes: number;
}

export interface PoolConfig extends CommonConfig {
  readonly mode: "pool";
  readonly machineId: string;
  readonly redis: { readonly url: string; readonly token: string; readonly prefix: string };
  readonly s3: {
    readonly endpoint: string;
    readonly accessKeyId: string;
    readonly secretAccessKey: string;
    readonly region: string;
  };
  readonly inputBucket: string;
  readonly outputBucket: string;
  readonly lifecycle: WorkerLifecycleConfig;
  readonly leaseMs: number;
  /** How long this machine's slot stays taken after it releases it: the machine is still stopping. */
  readonly stopGraceMs: number;
  readonly heartbeatMs: number;
  /** How often a running job's claim is checked, so a cancel stops ffmpeg within about this long. */
  readonly claimCheckMs: number;
  /** Idle polling: the first backoff and the longest (a nudge cuts any of them short). */
  readonly pollDelay: PollDelayConfig;
  readonly maxMachines: number;
  readonly retryPolicy: JobRetryPolicy;
  readonly split: SplitSettings;
  /** The guest the pool machine runs on: prices its time. */
  readonly guest: MachineGuest;
  /** The control plane's MONTHLY_BUDGET_USD: a job that may keep the machine past its TTL must fit what is left. */
  readonly monthlyBudgetUsd: number;
}

export interface SingleJobConfig extends CommonConfig {
  readonly mode: "single";
  readonly jobId: string;
  readonly input: Location;
  readonly output: Location;
  /** Where the job's record goes (RECORD_URL: a presigned PUT or a path); null: no record is written. */
  readonly record: Location | null;
  readonly preset: PresetName;
  /** Needed to report (the control plane fences on it); required with CALLBACK_URL. */
  readonly leaseToken: string | null;
  readonly machineId: string;
  /** Null: price with the plan's guest (the one the control plane sized the machine by). */
  readonly guest: MachineGuest | null;
}

export type WorkerConfig = PoolConfig | SingleJobConfig;

type Env = Readonly<Record<string, string | undefined>>;

const text = (name: string) => v.pipe(v.string(`${name} is required`), v.nonEmpty(`${name} is required`));
const httpUrl = (name: string) =>
  v.pipe(
    text(name),
    v.check((value) => /^https?:\/\/[^/\s]+/i.test(value), `${name} must be an http(s) URL`),
  );
const int = (name: string, min: number, fallback: number) =>
  v.optional(
    v.pipe(
      v.string(),
      v.regex(/^\d+$/, `${name} must be a whole number`),
      v.transform(Number),
      v.minValue(min, `${name} must be at least ${min}`),
    ),
    String(fallback),
  );
const guest = (name: string) =>
  v.pipe(
    v.string(),
    v.regex(/^(shared|performance)-\d+x-\d+$/, `${name} must look like performance-2x-4096`),
    v.transform((value) => {
      const [cpuKind, cpus, memoryMb] = value.split("-");
      return { cpuKind, cpus: Number(cpus?.replace(/x$/, "")), memoryMb: Number(memoryMb) };
    }),
    MachineGuestSchema,
  );

const CommonSchema = v.object({
  FFMPEG_PATH: v.optional(text("FFMPEG_PATH"), "ffmpeg"),
  FFPROBE_PATH: v.optional(text("FFPROBE_PATH"), "ffprobe"),
  WORK_DIR: v.optional(text("WORK_DIR")),
  /** Ceiling for any one ffmpeg command (the plan's own limits grow with duration and frame size below it). */
  FFMPEG_MAX_RUN_MS: int("FFMPEG_MAX_RUN_MS", 1, DEFAULT_PLAN_LIMITS.maxRunMs),
  /** Fly's root filesystem writes a few MiB/s: inputs this big (default 256 MiB) are read over HTTP, not staged. */
  INPUT_STREAM_MIN_BYTES: int("INPUT_STREAM_MIN_BYTES", 1, 256 * 1024 * 1024),
  CALLBACK_URL: v.optional(httpUrl("CALLBACK_URL")),
  /** This machine's own callback key (the control plane derives it per machine; never the root CALLBACK_SECRET). */
  CALLBACK_KEY: v.optional(text("CALLBACK_KEY")),
});

const PoolSchema = v.object({
  TCODER_MACHINE_ID: text("TCODER_MACHINE_ID"),
  UPSTASH_REDIS_REST_URL: httpUrl("UPSTASH_REDIS_REST_URL"),
  UPSTASH_REDIS_REST_TOKEN: text("UPSTASH_REDIS_REST_TOKEN"),
  REDIS_PREFIX: v.optional(
    v.pipe(v.string(), v.regex(/^[A-Za-z0-9:_{}-]{1,64}$/, "bad REDIS_PREFIX")),
    "tcoder",
  ),
  S3_ENDPOINT: httpUrl("S3_ENDPOINT"),
  S3_ACCESS_KEY_ID: text("S3_ACCESS_KEY_ID"),
  S3_SECRET_ACCESS_KEY: text("S3_SECRET_ACCESS_KEY"),
  S3_REGION: v.optional(text("S3_REGION"), "auto"),
  INPUT_BUCKET: text("INPUT_BUCKET"),
  OUTPUT_BUCKET: text("OUTPUT_BUCKET"),
  WORKER_TTL_MS: int("WORKER_TTL_MS", 1, 300_000),
  WORKER_MAX_JOBS: int("WORKER_MAX_JOBS", 1, 3),
  WORKER_DRAIN_MS: int("WORKER_DRAIN_MS", 0, 60_000),
  WORKER_IDLE_EXIT_MS: int("WORKER_IDLE_EXIT_MS", 1, DEFAULT_WORKER_LIFECYCLE.idleExitMs),
  LEASE_MS: int("LEASE_MS", 1_000, 30_000),
  MACHINE_STOP_GRACE_MS: int("MACHINE_STOP_GRACE_MS", 0, 5_000),
  HEARTBEAT_MS: int("HEARTBEAT_MS", 100, 10_000),
  CLAIM_CHECK_MS: int("CLAIM_CHECK_MS", 100, 1_000),
  WORKER_POLL_MIN_MS: int("WORKER_POLL_MIN_MS", 1, DEFAULT_POLL_DELAY.minMs),
  WORKER_POLL_MAX_MS: int("WORKER_POLL_MAX_MS", 1, DEFAULT_POLL_DELAY.maxMs),
  MAX_MACHINES: int("MAX_MACHINES", 1, 5),
  MAX_ATTEMPTS: int("MAX_ATTEMPTS", 1, 3),
  SPLIT_AFTER_SECONDS: int("SPLIT_AFTER_SECONDS", 0, DEFAULT_SPLIT.splitAfterS),
  SPLIT_CHUNK_SECONDS: int("SPLIT_CHUNK_SECONDS", 1, DEFAULT_SPLIT.chunkS),
  MACHINE_GUEST: v.optional(guest("MACHINE_GUEST"), "performance-2x-4096"),
  MONTHLY_BUDGET_USD: v.optional(
    v.pipe(
      v.string(),
      v.regex(/^\d+(\.\d+)?(e[-+]?\d+)?$/i, "MONTHLY_BUDGET_USD must be a number of dollars"),
      v.transform(Number),
    ),
    "50",
  ),
});

const SingleSchema = v.object({
  JOB_ID: v.pipe(text("JOB_ID"), v.regex(/^[A-Za-z0-9_-]{1,64}$/, "JOB_ID must be 1–64 of [A-Za-z0-9_-]")),
  INPUT_URL: text("INPUT_URL"),
  OUTPUT_URL: text("OUTPUT_URL"),
  RECORD_URL: v.optional(text("RECORD_URL")),
  PRESET: PresetNameSchema,
  LEASE_TOKEN: v.optional(text("LEASE_TOKEN")),
  TCODER_MACHINE_ID: v.optional(text("TCODER_MACHINE_ID")),
  FLY_MACHINE_ID: v.optional(text("FLY_MACHINE_ID")),
  MACHINE_GUEST: v.optional(guest("MACHINE_GUEST")),
});

const firstIssue = (issues: readonly v.BaseIssue<unknown>[]): string => {
  const issue = issues[0];
  if (issue === undefined) return "invalid environment";
  const name = v.getDotPath(issue);
  if (name !== null && issue.input === undefined) return `${name} is required`;
  // Messages name their variable; valibot's defaults ("Invalid type") get the name prefixed.
  return name !== null && !issue.message.includes(name) ? `${name}: ${issue.message}` : issue.message;
};

const parse = <S extends v.GenericSchema>(schema: S, env: Env): Result<v.InferOutput<S>, string> => {
  const parsed = v.safeParse(schema, env);
  return parsed.success ? ok(parsed.output) : err(firstIssue(parsed.issues));
};

/** "https://…" stays a URL; anything else is a path, made absolute (ffmpeg reads "a:b.mp4" as a protocol). */
const locationOf = (name: string, value: string, cwd: string): Result<Location, string> => {
  if (/^https?:\/\//i.test(value)) return ok({ kind: "http", url: value });
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(value)) return err(`${name} must be an http(s) URL or a file path`);
  return ok({ kind: "file", path: isAbsolute(value) ? value : resolve(cwd, value) });
};

/** Throws only on a bug; every problem with the environment is an `err` with a one-line reason. */
export const parseWorkerEnv = (
  env: Env,
  defaults: { cwd: string; tmpDir: string },
): Result<WorkerConfig, string> =>
  parse(CommonSchema, env).andThen((common) => {
    if (common.CALLBACK_URL !== undefined && common.CALLBACK_KEY === undefined) {
      return err("CALLBACK_KEY is required with CALLBACK_URL");
    }
    const base: CommonConfig = {
      ffmpegPath: common.FFMPEG_PATH,
      ffprobePath: common.FFPROBE_PATH,
      workDir: resolve(defaults.cwd, common.WORK_DIR ?? defaults.tmpDir),
      limits: { ...DEFAULT_PLAN_LIMITS, maxRunMs: common.FFMPEG_MAX_RUN_MS },
      streamInputMinBytes: common.INPUT_STREAM_MIN_BYTES,
      callback:
        common.CALLBACK_URL !== undefined && common.CALLBACK_KEY !== undefined
          ? { url: common.CALLBACK_URL, secret: common.CALLBACK_KEY }
          : null,
    };
    return env.JOB_ID === undefined ? poolConfig(env, base) : singleConfig(env, base, defaults.cwd);
  });

const poolConfig = (env: Env, base: CommonConfig): Result<WorkerConfig, string> =>
  parse(PoolSchema, env).andThen((p) => {
    if (p.HEARTBEAT_MS >= p.LEASE_MS) return err("HEARTBEAT_MS must be shorter than LEASE_MS");
    if (p.WORKER_DRAIN_MS >= p.WORKER_TTL_MS)
      return err("WORKER_DRAIN_MS must be shorter than WORKER_TTL_MS");
    if (p.WORKER_POLL_MAX_MS < p.WORKER_POLL_MIN_MS)
      return err("WORKER_POLL_MAX_MS must be at least WORKER_POLL_MIN_MS");
    return ok({
      ...base,
      mode: "pool" as const,
      machineId: p.TCODER_MACHINE_ID,
      redis: { url: p.UPSTASH_REDIS_REST_URL, token: p.UPSTASH_REDIS_REST_TOKEN, prefix: p.REDIS_PREFIX },
      s3: {
        endpoint: p.S3_ENDPOINT,
        accessKeyId: p.S3_ACCESS_KEY_ID,
        secretAccessKey: p.S3_SECRET_ACCESS_KEY,
        region: p.S3_REGION,
      },
      inputBucket: p.INPUT_BUCKET,
      outputBucket: p.OUTPUT_BUCKET,
      lifecycle: workerLifecycleConfig({
        ttlMs: p.WORKER_TTL_MS,
        maxJobs: p.WORKER_MAX_JOBS,
        drainBufferMs: p.WORKER_DRAIN_MS,
        idleExitMs: p.WORKER_IDLE_EXIT_MS,
      }),
      leaseMs: p.LEASE_MS,
      stopGraceMs: p.MACHINE_STOP_GRACE_MS,
      heartbeatMs: p.HEARTBEAT_MS,
      claimCheckMs: p.CLAIM_CHECK_MS,
      pollDelay: pollDelayConfig({ minMs: p.WORKER_POLL_MIN_MS, maxMs: p.WORKER_POLL_MAX_MS }),
      maxMachines: p.MAX_MACHINES,
      retryPolicy: jobRetryPolicy({ maxAttempts: p.MAX_ATTEMPTS }),
      split: splitSettings({ splitAfterS: p.SPLIT_AFTER_SECONDS, chunkS: p.SPLIT_CHUNK_SECONDS }),
      guest: p.MACHINE_GUEST,
      monthlyBudgetUsd: p.MONTHLY_BUDGET_USD,
    });
  });

const singleConfig = (env: Env, base: CommonConfig, cwd: string): Result<WorkerConfig, string> =>
  parse(SingleSchema, env).andThen((s) => {
    if (base.callback !== null && s.LEASE_TOKEN === undefined) {
      return err("LEASE_TOKEN is required with CALLBACK_URL (the control plane fences on it)");
    }
    return Result.combine([
      locationOf("INPUT_URL", s.INPUT_URL, cwd),
      locationOf("OUTPUT_URL", s.OUTPUT_URL, cwd),
      s.RECORD_URL === undefined ? ok(null) : locationOf("RECORD_URL", s.RECORD_URL, cwd),
    ]).map(([input, output, record]) => ({
      ...base,
      mode: "single" as const,
      jobId: s.JOB_ID,
      input,
      output,
      record,
      preset: s.PRESET,
      leaseToken: s.LEASE_TOKEN ?? null,
      machineId: s.TCODER_MACHINE_ID ?? s.FLY_MACHINE_ID ?? "local",
      guest: s.MACHINE_GUEST ?? null,
    }));
  });
