// parseWorkerEnv: given an environment, then pool or single-job configuration, or one readable reason (exit 2).
import { describe, expect, it } from "vitest";
import { parseWorkerEnv } from "../../../worker-image/worker-env.ts";

const DEFAULTS = { cwd: "/repo", tmpDir: "/tmp/tcoder-worker" };
const POOL = {
  TCODER_MACHINE_ID: "m-1",
  UPSTASH_REDIS_REST_URL: "https://eu1-x.upstash.io",
  UPSTASH_REDIS_REST_TOKEN: "token",
  S3_ENDPOINT: "https://acct.r2.cloudflarestorage.com",
  S3_ACCESS_KEY_ID: "key",
  S3_SECRET_ACCESS_KEY: "secret",
  INPUT_BUCKET: "in",
  OUTPUT_BUCKET: "out",
};
const SINGLE = { JOB_ID: "t1", INPUT_URL: "in.webm", OUTPUT_URL: "out.mp4", PRESET: "web-optimized" };

describe("parseWorkerEnv", () => {
  it("pool mode: the contract's defaults", () => {
    const config = parseWorkerEnv(POOL, DEFAULTS)._unsafeUnwrap();
    expect(config).toMatchObject({
      mode: "pool",
      machineId: "m-1",
      redis: { prefix: "tcoder" },
      s3: { region: "auto" },
      lifecycle: { ttlMs: 300_000, maxJobs: 3, drainBufferMs: 60_000 },
      leaseMs: 30_000,
      heartbeatMs: 10_000,
      maxMachines: 5,
      retryPolicy: { maxAttempts: 3 },
      guest: { cpuKind: "performance", cpus: 2, memoryMb: 4096 },
      workDir: "/tmp/tcoder-worker",
      ffmpegPath: "ffmpeg",
      callback: null,
    });
  });

  it("single-job mode: relative paths become absolute, URLs stay URLs", () => {
    const file = parseWorkerEnv(SINGLE, DEFAULTS)._unsafeUnwrap();
    expect(file).toMatchObject({
      mode: "single",
      jobId: "t1",
      input: { kind: "file", path: "/repo/in.webm" },
      output: { kind: "file", path: "/repo/out.mp4" },
      preset: "web-optimized",
      leaseToken: null,
      machineId: "local",
      guest: null,
    });
    const urls = parseWorkerEnv(
      { ...SINGLE, INPUT_URL: "https://r2.example/in?X-Amz-Signature=a", OUTPUT_URL: "http://127.0.0.1:9/o" },
      DEFAULTS,
    )._unsafeUnwrap();
    expect(urls).toMatchObject({
      input: { kind: "http", url: "https://r2.example/in?X-Amz-Signature=a" },
      output: { kind: "http", url: "http://127.0.0.1:9/o" },
    });
  });

  it("FFMPEG_MAX_RUN_MS sets the plan's ceiling for one command; MACHINE_GUEST prices the time", () => {
    const config = parseWorkerEnv(
      { ...SINGLE, FFMPEG_MAX_RUN_MS: "300", MACHINE_GUEST: "shared-1x-512" },
      DEFAULTS,
    )._unsafeUnwrap();
    expect(config.limits.maxRunMs).toBe(300);
    expect(config.mode === "single" && config.guest).toEqual({ cpuKind: "shared", cpus: 1, memoryMb: 512 });
  });

  it.each<{ name: string; env: Record<string, string>; reason: RegExp }>([
    { name: "nothing at all (pool mode)", env: {}, reason: /^TCODER_MACHINE_ID is required$/ },
    { name: "a missing bucket", env: { ...POOL, OUTPUT_BUCKET: "" }, reason: /OUTPUT_BUCKET is required/ },
    {
      name: "a non-URL Redis",
      env: { ...POOL, UPSTASH_REDIS_REST_URL: "redis://x" },
      reason: /http\(s\) URL/,
    },
    { name: "heartbeat ≥ lease", env: { ...POOL, HEARTBEAT_MS: "30000" }, reason: /shorter than LEASE_MS/ },
    {
      name: "drain ≥ TTL",
      env: { ...POOL, WORKER_DRAIN_MS: "300000" },
      reason: /shorter than WORKER_TTL_MS/,
    },
    {
      name: "a fractional count",
      env: { ...POOL, WORKER_MAX_JOBS: "1.5" },
      reason: /WORKER_MAX_JOBS must be a whole/,
    },
    { name: "a bad guest", env: { ...POOL, MACHINE_GUEST: "big" }, reason: /MACHINE_GUEST must look like/ },
    { name: "an unknown preset", env: { ...SINGLE, PRESET: "4k" }, reason: /^PRESET: unknown preset$/ },
    { name: "a job id with a slash", env: { ...SINGLE, JOB_ID: "../x" }, reason: /JOB_ID must be/ },
    {
      name: "an s3:// input",
      env: { ...SINGLE, INPUT_URL: "s3://b/k" },
      reason: /INPUT_URL must be an http/,
    },
    {
      name: "a callback without a key",
      env: { ...SINGLE, CALLBACK_URL: "https://cp.example/internal/callbacks" },
      reason: /CALLBACK_KEY is required/,
    },
    {
      // A root secret left among an app's secrets (older deploys) is never taken for the machine's own key.
      name: "a callback with only the root callback secret",
      env: {
        ...SINGLE,
        CALLBACK_URL: "https://cp.example/internal/callbacks",
        CALLBACK_SECRET: "root-secret",
      },
      reason: /CALLBACK_KEY is required/,
    },
    {
      name: "a single-job callback without a lease token",
      env: { ...SINGLE, CALLBACK_URL: "https://cp.example/cb", CALLBACK_KEY: "s" },
      reason: /LEASE_TOKEN is required/,
    },
  ])("refuses $name with one line", ({ env, reason }) => {
    const message = parseWorkerEnv(env, DEFAULTS)._unsafeUnwrapErr();
    expect(message).toMatch(reason);
    expect(message).not.toContain("\n");
  });
});
