// The control plane's configuration from its environment, and the SSRF checks on client URLs (pure shell pieces).
import { describe, expect, it } from "vitest";
import {
  MAX_INGEST_PART_BYTES,
  parseControlPlaneConfig,
} from "../../../shell/control-plane/config/control-plane-config.ts";
import { checkOutboundUrl } from "../../../shell/control-plane/outbound/check-outbound-url.ts";

const VALID_ENV = {
  TCODER_API_KEY: "tk_0123456789abcdef",
  UPSTASH_REDIS_REST_URL: "https://example.upstash.io",
  UPSTASH_REDIS_REST_TOKEN: "token-value-xyz",
  R2_ACCOUNT_ID: "0123456789abcdef0123456789abcdef",
  R2_ACCESS_KEY_ID: "access",
  R2_SECRET_ACCESS_KEY: "secret-access-key-value",
  INPUT_BUCKET: "tcoder-inputs",
  OUTPUT_BUCKET: "tcoder-outputs",
  FLY_API_TOKEN: "fly-token-value",
  FLY_APP: "tcoder-worker",
  WORKER_IMAGE: "registry.fly.io/tcoder-worker:abc123",
  CALLBACK_SECRET: "callback-secret-0123456789",
  MEDIA_SECRET: "media-secret-0123456789",
};

describe("parseControlPlaneConfig", () => {
  it("reads a minimal Cloudflare env with defaults", () => {
    const config = parseControlPlaneConfig({ ...VALID_ENV, SOME_BINDING: { not: "a string" } });
    expect(config.storage.endpoint).toBe("https://0123456789abcdef0123456789abcdef.r2.cloudflarestorage.com");
    expect(config.admission).toMatchObject({ maxMachines: 5, monthlyBudgetUsd: 50 });
    expect(config.admission.machineMaxCostUsd).toBeGreaterThan(0);
    expect(config.uploads).toMatchObject({ urlTtlSeconds: 900, graceSeconds: 600, checkSeconds: 60 });
    expect(config.inputRetentionDays).toBe(7);
    expect(config.worker.guest).toEqual({ cpuKind: "performance", cpus: 2, memoryMb: 4096 });
    expect(config.apiKeys).toEqual([VALID_ENV.TCODER_API_KEY]);
  });

  it.each([
    { given: { UPSTASH_REDIS_REST_URL: undefined }, says: "UPSTASH_REDIS_REST_URL" },
    { given: { TCODER_API_KEY: undefined }, says: "TCODER_API_KEYS" },
    { given: { UPLOAD_URL_TTL_SECONDS: "3600" }, says: "UPLOAD_URL_TTL_SECONDS: must be at most 900" },
    { given: { MAX_MACHINES: "five" }, says: "MAX_MACHINES: must be a whole number" },
    { given: { INPUT_RETENTION_DAYS: "-1" }, says: "INPUT_RETENTION_DAYS" },
    { given: { POOL_GUEST: "huge" }, says: "POOL_GUEST" },
    { given: { HEARTBEAT_MS: "40000" }, says: "HEARTBEAT_MS must be below LEASE_MS" },
    { given: { SPAWN_MODE: "single-job" }, says: "PUBLIC_URL is required in single-job mode" },
    {
      given: { WEBHOOK_SECRET: "webhook-secret-0123456789" },
      says: "PUBLIC_URL is required with WEBHOOK_SECRET",
    },
    { given: { R2_ACCOUNT_ID: undefined }, says: "S3_ENDPOINT" },
    {
      given: { POOL_GUEST: "performance-2x-1024" },
      says: "POOL_GUEST: performance-2x-1024: 2 performance CPU(s)",
    },
    { given: { POOL_GUEST: "shared-3x-768" }, says: "Fly offers shared machines with 1, 2, 4, 6, 8 CPUs" },
  ])("refuses $says", ({ given, says }) => {
    const env = Object.fromEntries(
      Object.entries({ ...VALID_ENV, ...given }).filter(([, v]) => v !== undefined),
    );
    expect(() => parseControlPlaneConfig(env)).toThrow(says);
  });

  it.each([
    { name: "CALLBACK_SECRET", value: "hunter2-short", says: "CALLBACK_SECRET: invalid" },
    { name: "TCODER_API_KEY", value: "qqqzzz", says: "TCODER_API_KEYS: every key needs 16+ characters" },
  ])("names a bad $name without echoing its value", ({ name, value, says }) => {
    let message = "";
    try {
      parseControlPlaneConfig({ ...VALID_ENV, [name]: value });
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toContain(says);
    expect(message).not.toContain(value);
  });
});

describe("per-key limits", () => {
  it("has none unless asked, and reads defaults and per-key overrides", () => {
    expect(parseControlPlaneConfig(VALID_ENV).keyLimits).toEqual({
      defaults: { monthlyBudgetUsd: null, maxPendingJobs: null },
      overrides: {},
    });
    const config = parseControlPlaneConfig({
      ...VALID_ENV,
      KEY_MONTHLY_BUDGET_USD: "10",
      KEY_MAX_PENDING_JOBS: "100",
      KEY_LIMITS: "3f2a9c0d1e2b4a5c:budget=20.5:pending=50, 00000000000000ff:pending=none ,",
    });
    expect(config.keyLimits).toEqual({
      defaults: { monthlyBudgetUsd: 10, maxPendingJobs: 100 },
      overrides: {
        "3f2a9c0d1e2b4a5c": { monthlyBudgetUsd: 20.5, maxPendingJobs: 50 },
        "00000000000000ff": { maxPendingJobs: null },
      },
    });
  });

  it.each([
    { given: { KEY_MAX_PENDING_JOBS: "0" }, says: "KEY_MAX_PENDING_JOBS: must be in 1..1000000" },
    { given: { KEY_MONTHLY_BUDGET_USD: "-1" }, says: "KEY_MONTHLY_BUDGET_USD: must be a number" },
    { given: { KEY_LIMITS: "3f2a9c0d1e2b4a5c" }, says: "names no limit" },
    { given: { KEY_LIMITS: "3f2a9c0d1e2b4a5c:budget=lots" }, says: "is not budget=<USD|none>" },
    { given: { KEY_LIMITS: "3f2a9c0d1e2b4a5c:pending=2.5" }, says: "pending must be a whole number" },
    { given: { KEY_LIMITS: "3f2a9c0d1e2b4a5c:pending=0" }, says: "pending must be a whole number" },
    {
      given: { KEY_LIMITS: "3f2a9c0d1e2b4a5c:pending=1,3f2a9c0d1e2b4a5c:budget=1" },
      says: "3f2a9c0d1e2b4a5c is listed twice",
    },
  ])("refuses $says", ({ given, says }) => {
    expect(() => parseControlPlaneConfig({ ...VALID_ENV, ...given })).toThrow(says);
  });

  it("does not echo a client key pasted where a key id belongs", () => {
    const key = "tk_live_0123456789abcdef";
    expect(() => parseControlPlaneConfig({ ...VALID_ENV, KEY_LIMITS: `${key}:budget=1` })).toThrow(
      /KEY_LIMITS: an entry does not start with a key id/,
    );
    expect(() => parseControlPlaneConfig({ ...VALID_ENV, KEY_LIMITS: `${key}:budget=1` })).not.toThrow(key);
  });
});

describe("one secret per purpose", () => {
  it("signs media tokens with MEDIA_SECRET only, and relays events only with EVENT_SECRET", () => {
    const config = parseControlPlaneConfig(VALID_ENV);
    expect(config.media.secret).toBe(VALID_ENV.MEDIA_SECRET);
    expect(config.callbackSecrets).toEqual([VALID_ENV.CALLBACK_SECRET]);
    expect(config.eventSecret).toBeNull();
    expect(
      parseControlPlaneConfig({ ...VALID_ENV, EVENT_SECRET: "event-secret-0123456789" }).eventSecret,
    ).toBe("event-secret-0123456789");
  });

  it.each([
    { given: { MEDIA_SECRET: undefined }, says: "MEDIA_SECRET: invalid" },
    { given: { MEDIA_SECRET: "short" }, says: "MEDIA_SECRET: invalid" },
    { given: { EVENT_SECRET: "short" }, says: "EVENT_SECRET: invalid" },
    {
      given: { MEDIA_SECRET: "callback-secret-0123456789" },
      says: "MEDIA_SECRET must differ from CALLBACK_SECRET: one secret per purpose",
    },
    {
      given: { EVENT_SECRET: "media-secret-0123456789" },
      says: "EVENT_SECRET must differ from MEDIA_SECRET",
    },
    {
      given: { WEBHOOK_SECRET: "callback-secret-0123456789", PUBLIC_URL: "https://cp.example.com" },
      says: "WEBHOOK_SECRET must differ from CALLBACK_SECRET",
    },
  ])("refuses $says", ({ given, says }) => {
    const env = Object.fromEntries(
      Object.entries({ ...VALID_ENV, ...given }).filter(([, v]) => v !== undefined),
    );
    let message = "";
    try {
      parseControlPlaneConfig(env);
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toContain(says);
    // A secret's value is never echoed, even when it is the problem.
    for (const value of Object.values(given))
      if (value && value.length > 8) expect(message).not.toContain(value);
  });
});

describe("URL ingest's part size fits a Worker's memory", () => {
  const GIB = 1024 ** 3;
  it.each([
    [{}, 8 * 2 ** 20],
    [{ INGEST_MAX_BYTES: String(100 * GIB) }, 11 * 2 ** 20],
    [{ INGEST_PART_BYTES: String(16 * 2 ** 20) }, 16 * 2 ** 20],
  ])("%o → parts of %d bytes, at most 10,000 of them", (given, part) => {
    const { ingest } = parseControlPlaneConfig({ ...VALID_ENV, ...given });
    expect(ingest.partBytes).toBe(part);
    expect(ingest.partBytes).toBeLessThanOrEqual(MAX_INGEST_PART_BYTES);
    expect(Math.ceil(ingest.maxBytes / ingest.partBytes)).toBeLessThanOrEqual(10_000);
  });

  it("refuses a source size cap that would need parts too big to buffer", () => {
    expect(() => parseControlPlaneConfig({ ...VALID_ENV, INGEST_MAX_BYTES: String(1024 * GIB) })).toThrow(
      "INGEST_MAX_BYTES is too large for URL ingest",
    );
  });
});

describe("SSRF rules for client URLs", () => {
  it.each([
    ["https://videos.example.com/a.mp4", false, true],
    ["http://localhost:8787/", false, false],
    ["http://cache.internal/a", false, false],
    ["http://intranet/a", false, false],
    ["http://0x7f000001/a", false, false],
    ["gopher://example.com/", false, false],
    ["http://127.0.0.1:9000/a.mp4", true, true],
    ["file:///etc/passwd", true, false],
  ])("%s (private allowed: %s) accepted: %s", (url, allowPrivate, accepted) => {
    expect(checkOutboundUrl(url, allowPrivate).isOk()).toBe(accepted);
  });
});
