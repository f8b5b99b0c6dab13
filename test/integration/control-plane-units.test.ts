// The control plane's pure pieces, table-driven: configuration, SSRF address rules, the reconcile plan, job
// acceptance and multipart sizing. (No services needed; they sit with the other control-plane tests.)
import { describe, expect, it } from "vitest";
import { checkOutboundUrl, isInternalAddress } from "../../shell/control-plane/check-outbound-url.ts";
import { parseControlPlaneConfig } from "../../shell/control-plane/control-plane-config.ts";
import { partSizeFor } from "../../shell/control-plane/create-upload.ts";
import { decideJobAcceptance } from "../../shell/control-plane/decide-job-acceptance.ts";
import {
  findOrphanMachines,
  planReservationRepair,
} from "../../shell/control-plane/plan-machine-reconcile.ts";

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
};

describe("parseControlPlaneConfig", () => {
  it("reads a minimal Cloudflare env with defaults", () => {
    const config = parseControlPlaneConfig({ ...VALID_ENV, SOME_BINDING: { not: "a string" } });
    expect(config.storage.endpoint).toBe("https://0123456789abcdef0123456789abcdef.r2.cloudflarestorage.com");
    expect(config.admission).toMatchObject({ maxMachines: 5, monthlyBudgetUsd: 50 });
    expect(config.admission.machineMaxCostUsd).toBeGreaterThan(0);
    expect(config.uploads.urlTtlSeconds).toBe(900);
    expect(config.worker.guest).toEqual({ cpuKind: "performance", cpus: 2, memoryMb: 4096 });
    expect(config.apiKeys).toEqual([VALID_ENV.TCODER_API_KEY]);
  });

  it.each([
    { given: { UPSTASH_REDIS_REST_URL: undefined }, says: "UPSTASH_REDIS_REST_URL" },
    { given: { TCODER_API_KEY: undefined }, says: "TCODER_API_KEYS" },
    { given: { UPLOAD_URL_TTL_SECONDS: "3600" }, says: "UPLOAD_URL_TTL_SECONDS: must be at most 900" },
    { given: { MAX_MACHINES: "five" }, says: "MAX_MACHINES: must be a whole number" },
    { given: { POOL_GUEST: "huge" }, says: "POOL_GUEST" },
    { given: { HEARTBEAT_MS: "40000" }, says: "HEARTBEAT_MS must be below LEASE_MS" },
    { given: { SPAWN_MODE: "single-job" }, says: "PUBLIC_URL is required in single-job mode" },
    {
      given: { WEBHOOK_SECRET: "webhook-secret-0123456789" },
      says: "PUBLIC_URL is required with WEBHOOK_SECRET",
    },
    { given: { R2_ACCOUNT_ID: undefined }, says: "S3_ENDPOINT" },
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

describe("SSRF rules", () => {
  it.each([
    ["127.0.0.1", true],
    ["10.1.2.3", true],
    ["172.31.255.255", true],
    ["172.32.0.1", false],
    ["192.168.0.10", true],
    ["169.254.169.254", true],
    ["100.64.0.1", true],
    ["0.0.0.0", true],
    ["224.0.0.1", true],
    ["8.8.8.8", false],
    ["[::1]", true],
    ["::", true],
    ["fd00::1", true],
    ["fe80::1", true],
    ["::ffff:127.0.0.1", true],
    ["::ffff:7f00:1", true],
    ["::ffff:8.8.8.8", false],
    ["64:ff9b::a00:1", true],
    ["2606:4700:4700::1111", false],
    ["not-an-ip", true],
  ])("%s internal: %s", (address, internal) => {
    expect(isInternalAddress(address)).toBe(internal);
  });

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

describe("the reconcile plan", () => {
  const boot = 180_000;
  const now = 1_000_000;
  const slots = {
    now,
    leases: [
      { machineId: "m_live", expiresAt: now + 10_000 },
      { machineId: "m_dead", expiresAt: now - 1 },
    ],
    reservations: [
      { reservationId: "m_booting", expiresAt: now + boot - 5_000 }, // reserved 5 s ago, machine exists
      { reservationId: "m_fresh", expiresAt: now + boot - 5_000 }, // reserved 5 s ago, no machine yet
      { reservationId: "m_stuck", expiresAt: now + boot - 90_000 }, // reserved 90 s ago, no machine
      { reservationId: "m_lapsed", expiresAt: now - 1 }, // past its boot deadline, no machine
    ],
    exiting: [
      { machineId: "m_stopping", until: now + 1_000 }, // released its slot a moment ago, still stopping
      { machineId: "m_overstayed", until: now - 1 }, // its stop grace is over, yet it runs
    ],
  };
  const machines = [
    { id: "f1", tag: "m_live", state: "started" },
    { id: "f2", tag: "m_dead", state: "started" },
    { id: "f3", tag: "m_booting", state: "created" },
    { id: "f4", tag: "m_unknown", state: "started" },
    { id: "f5", tag: "m_gone", state: "destroyed" },
    { id: "f6", tag: "m_stopping", state: "started" },
    { id: "f7", tag: "m_overstayed", state: "started" },
  ];

  it("frees lapsed machine-less reservations and respawns only those old enough", () => {
    expect(planReservationRepair(machines, slots, { bootDeadlineMs: boot, respawnAfterMs: 60_000 })).toEqual({
      free: ["m_lapsed"],
      respawn: ["m_stuck"],
    });
  });

  it("calls orphans the live machines without a live lease, reservation or stop grace", () => {
    expect(findOrphanMachines(machines, slots)).toEqual(["f2", "f4", "f7"]);
  });

  it("destroys all but the oldest of the machines sharing a slot's tag (a late ambiguous create's twin)", () => {
    const twins = [
      ...machines,
      { id: "f8", tag: "m_live", state: "created", createdAt: "2026-11-23T10:00:05Z" },
      { id: "f9", tag: "m_booting", state: "started", createdAt: "2026-11-23T10:00:01Z" },
      { id: "f10", tag: "m_booting", state: "destroyed", createdAt: "2026-11-23T10:00:00Z" },
    ].map((m) => (m.id === "f1" ? { ...m, createdAt: "2026-11-23T10:00:00Z" } : m));
    // m_live: f1 is older than f8. m_booting: f9 is the oldest live one (f3 has no time; f10 is gone already).
    expect(findOrphanMachines(twins, slots)).toEqual(["f2", "f3", "f4", "f7", "f8"]);
  });
});

describe("job acceptance and multipart sizing", () => {
  const limits = { monthlyBudgetUsd: 10, maxPendingJobs: 3, retryAfterMs: 30_000 };
  it.each([
    [{ spentUsd: 0, pendingJobs: 0 }, "accept"],
    [{ spentUsd: 9.99, pendingJobs: 2 }, "accept"],
    [{ spentUsd: 10, pendingJobs: 0 }, "budget-exhausted"],
    [{ spentUsd: 1, pendingJobs: 3 }, "backlog-full"],
  ])("%o → %s", (snapshot, kind) => {
    expect(decideJobAcceptance(snapshot, limits).kind).toBe(kind);
  });

  it.each([
    [100 * 2 ** 20, 64 * 2 ** 20, 64 * 2 ** 20],
    [5 * 2 ** 40, 64 * 2 ** 20, 525 * 2 ** 20],
  ])("size %d with configured part %d → part %d", (size, configured, part) => {
    expect(partSizeFor(size, configured)).toBe(part);
    expect(Math.ceil(size / part)).toBeLessThanOrEqual(10_000);
  });
});
