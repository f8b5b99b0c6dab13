// Upstash's failures, from the bridge's fault mode: request limits (429), 5xx and proxy pages are retried by the
// script runner and, when they last, read as unavailable (the API's 503 with Retry-After); a real Redis error reply
// from a Lua script is still a script error, sent once.
import { createHash, randomBytes } from "node:crypto";
import { Redis as IoRedis } from "ioredis";
import { afterAll, beforeAll, beforeEach, describe, expect, inject, it } from "vitest";
import type { LuaScript } from "../../shell/redis/lua-script.ts";
import type { ScriptRunner } from "../../shell/redis/script-runner.ts";
import { upstashClient, upstashScriptRunner } from "../../shell/redis/upstash-script-runner.ts";
import {
  type BridgeFault,
  type BridgeRequestEvent,
  startUpstashBridge,
  type UpstashBridge,
} from "../../shell/upstash-bridge/start-upstash-bridge.ts";
import { uniquePrefix } from "../services/test-namespace.ts";
import { type Harness, startHarness } from "./control-plane-harness.ts";

const TOKEN = randomBytes(16).toString("hex");
// Short backoffs: the policy's shape (3 retries), not its timing, is under test.
const RETRY = { retries: 3, minTimeoutMs: 5, maxTimeoutMs: 20 };
const ATTEMPTS = RETRY.retries + 1;

const script = (name: string, source: string): LuaScript => ({
  name,
  source,
  sha1: createHash("sha1").update(source).digest("hex"),
});
// Counts its runs, so a repeated (applied-then-lost) call shows.
const COUNT_AND_ECHO = script("count-and-echo", "redis.call('INCR', KEYS[1]); return ARGV[1]");
// A script bug: INCR on a key that holds text is a Redis error reply (HTTP 400 with {"error"}).
const INCR_TEXT = script(
  "incr-text",
  "redis.call('SET', KEYS[1], 'text'); return redis.call('INCR', KEYS[1])",
);

let bridge: UpstashBridge;
let direct: IoRedis;
let runner: ScriptRunner;
let events: BridgeRequestEvent[] = [];
let key: string;

beforeAll(async () => {
  bridge = await startUpstashBridge({
    redisUrl: inject("redisUrl"),
    token: TOKEN,
    onRequest: (event) => events.push(event),
  });
  direct = new IoRedis(inject("redisUrl"));
  runner = upstashScriptRunner(upstashClient({ url: bridge.url, token: TOKEN, timeoutMs: 5_000 }), RETRY);
});

afterAll(async () => {
  await bridge?.close();
  direct?.disconnect();
});

beforeEach(() => {
  bridge.setFaults([]);
  events = [];
  key = `${uniquePrefix("upstash-faults")}runs`;
});

const PASSING_FAULTS: readonly (readonly [string, BridgeFault])[] = [
  ["a 429 with Upstash's limit error", { kind: "rate-limited" }],
  ["a 502 proxy page", { kind: "proxy-page", status: 502, effect: "dropped" }],
  ["a 503 proxy page after the script ran", { kind: "proxy-page", status: 503, effect: "applied" }],
  ["a 200 HTML page", { kind: "not-json", effect: "dropped" }],
  ["a connection reset", { kind: "reset", effect: "dropped" }],
];

describe("the Upstash script runner on the bridge's faults", () => {
  it.each(PASSING_FAULTS)("retries %s and gets the script's reply", async (_, fault) => {
    bridge.setFaults([fault, fault]);
    const reply = await runner.run(COUNT_AND_ECHO, [key], ["hello"]);
    expect(reply._unsafeUnwrap()).toBe("hello");
    expect(bridge.pendingFaults()).toBe(0);
    // An answer lost after the script ran means it ran again: scripts are written to be safe to repeat.
    const runs = fault.kind !== "rate-limited" && fault.effect === "applied" ? 3 : 1;
    expect(await direct.get(key)).toBe(String(runs));
  });

  it.each(PASSING_FAULTS)("reads %s that lasts as redis-unavailable after the retries", async (_, fault) => {
    bridge.setFaults(Array.from({ length: ATTEMPTS + 2 }, () => fault));
    const reply = await runner.run(COUNT_AND_ECHO, [key], ["hello"]);
    expect(reply._unsafeUnwrapErr().kind).toBe("redis-unavailable");
    expect(bridge.pendingFaults()).toBe(2);
  });

  it("keeps a Lua script's Redis error reply a script error, sent once", async () => {
    // Loaded first, so the run below is one EVALSHA rather than EVALSHA, NOSCRIPT, EVAL.
    await direct.script("LOAD", INCR_TEXT.source);
    events = [];
    const reply = await runner.run(INCR_TEXT, [key], []);
    const error = reply._unsafeUnwrapErr();
    expect(error.kind).toBe("redis-error");
    expect(error.message).toMatch(/not an integer/);
    expect(events.map((event) => event.status)).toEqual([400]);
  });

  it("takes a refused token (401) as an error no retry fixes", async () => {
    const wrong = upstashScriptRunner(
      upstashClient({ url: bridge.url, token: "wrong", timeoutMs: 5_000 }),
      RETRY,
    );
    const reply = await wrong.run(COUNT_AND_ECHO, [key], ["hello"]);
    expect(reply._unsafeUnwrapErr().kind).toBe("redis-error");
    expect(events.map((event) => event.status)).toEqual([401]);
  });
});

describe("the API on Upstash's faults", () => {
  let harness: Harness;
  beforeAll(async () => {
    harness = await startHarness("upstash-faults");
  });
  afterAll(() => harness?.close());
  beforeEach(() => harness.bridge.setFaults([]));

  const missingJob = "/api/jobs/job_0123456789abcdef";

  it("answers as usual when a 429 or a proxy page is retried away", async () => {
    harness.bridge.setFaults([
      { kind: "rate-limited" },
      { kind: "proxy-page", status: 502, effect: "dropped" },
    ]);
    const res = await harness.api(missingJob);
    expect(res.status).toBe(404);
    expect(harness.bridge.pendingFaults()).toBe(0);
  });

  it.each([
    ["request limits (429)", { kind: "rate-limited" }],
    ["a 503 proxy page", { kind: "proxy-page", status: 503, effect: "dropped" }],
    ["an HTML page with 200", { kind: "not-json", effect: "dropped" }],
  ] as const)("answers 503 with Retry-After while Upstash keeps failing with %s", async (_, fault) => {
    harness.bridge.setFaults(Array.from({ length: 20 }, () => fault));
    const res = await harness.api(missingJob);
    expect(res.status).toBe(503);
    expect(Number(res.headers.get("retry-after"))).toBeGreaterThan(0);
    expect((await res.json()).code).toBe("store-unavailable");
  });
});
