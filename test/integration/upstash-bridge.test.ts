// The local Upstash REST bridge, driven by @upstash/redis itself (and raw fetch) against a real redis-server.
import { createHash, randomBytes } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import { type RedisConfigNodejs, Redis as UpstashRedis } from "@upstash/redis";
import { Redis as IORedis } from "ioredis";
import { afterAll, beforeAll, beforeEach, describe, expect, inject, it } from "vitest";
import { findFreePort } from "../../shell/dev/local-services/free-port.ts";
import {
  type BridgeRequestEvent,
  startUpstashBridge,
  type UpstashBridge,
} from "../../shell/upstash-bridge/start-upstash-bridge.ts";
import { pickBackend } from "../services/pick-backend.ts";
import type { RunningRedis } from "../services/service-backend.ts";
import { uniquePrefix } from "../services/test-namespace.ts";

const TOKEN = randomBytes(16).toString("hex");
const NOT_AN_INTEGER = "ERR value is not an integer or out of range";

let bridge: UpstashBridge;
let direct: IORedis;
let events: BridgeRequestEvent[] = [];
let prefix: string;

beforeAll(async () => {
  bridge = await startUpstashBridge({
    redisUrl: inject("redisUrl"),
    token: TOKEN,
    onRequest: (event) => events.push(event),
  });
  direct = new IORedis(inject("redisUrl"));
});

afterAll(async () => {
  await bridge?.close();
  direct?.disconnect();
});

beforeEach(() => {
  bridge.setFaults([]);
  events = [];
  prefix = uniquePrefix("upstash-bridge");
});

const client = (config: Partial<RedisConfigNodejs> = {}): UpstashRedis =>
  new UpstashRedis({ url: bridge.url, token: TOKEN, enableTelemetry: false, retry: false, ...config });

const post = (path: string, body: unknown, headers: Record<string, string> = {}): Promise<Response> =>
  fetch(`${bridge.url}${path}`, {
    method: "POST",
    headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/json", ...headers },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });

const commandsSent = (route: BridgeRequestEvent["route"]): string[][] =>
  events.filter((event) => event.route === route).map((event) => [...event.commands]);

describe("commands through @upstash/redis", () => {
  it("round-trips strings, counters, hashes and sorted sets with automatic deserialization (the default)", async () => {
    const redis = client();
    const [json, counter, hash, zset] = [
      `${prefix}json`,
      `${prefix}counter`,
      `${prefix}hash`,
      `${prefix}zset`,
    ];

    expect(await redis.set(json, { clip: "intro", seconds: 12 })).toBe("OK");
    expect(await redis.get(json)).toEqual({ clip: "intro", seconds: 12 });
    expect(await direct.get(json)).toBe('{"clip":"intro","seconds":12}');
    expect(await redis.incr(counter)).toBe(1);
    expect(await redis.incrby(counter, 41)).toBe(42);
    expect(await redis.hset(hash, { preset: "hls", attempts: 3 })).toBe(2);
    expect(await redis.hgetall(hash)).toEqual({ preset: "hls", attempts: 3 });
    expect(await redis.zadd(zset, { score: 2, member: "b" }, { score: 1, member: "a" })).toBe(2);
    expect(await redis.zrange(zset, 0, -1)).toEqual(["a", "b"]);
    expect(await redis.zrange(zset, 0, -1, { withScores: true })).toEqual(["a", 1, "b", 2]);
  });

  it("returns the raw strings when automatic deserialization is off", async () => {
    const redis = client({ automaticDeserialization: false });
    const [json, counter, hash, zset] = [
      `${prefix}json`,
      `${prefix}counter`,
      `${prefix}hash`,
      `${prefix}zset`,
    ];

    expect(await redis.set(json, { clip: "intro" })).toBe("OK");
    expect(await redis.get(json)).toBe('{"clip":"intro"}');
    expect(await redis.incr(counter)).toBe(1);
    expect(await redis.set(counter, 7)).toBe("OK");
    expect(await redis.get(counter)).toBe("7");
    expect(await redis.hset(hash, { preset: "hls", attempts: 3 })).toBe(2);
    expect(await redis.hgetall(hash)).toEqual(["preset", "hls", "attempts", "3"]);
    expect(await redis.zadd(zset, { score: 1.5, member: "a" })).toBe(1);
    expect(await redis.zrange(zset, 0, -1, { withScores: true })).toEqual(["a", "1.5"]);
  });

  it("round-trips unicode, control characters and base64-looking strings through base64", async () => {
    const redis = client({ automaticDeserialization: false });
    const values = [
      "héllo wörld ✓ 🎬",
      "tab\tnewline\nnul\u0000end",
      '"quoted" \\ slash',
      "T0s=",
      "8",
      "OK",
      "",
    ];
    for (const [i, value] of values.entries()) {
      expect(await redis.set(`${prefix}${i}`, value)).toBe("OK");
      expect(await redis.get(`${prefix}${i}`)).toBe(value);
      expect(await direct.get(`${prefix}${i}`)).toBe(value);
    }
    // Inside arrays "OK" must be encoded too: the client base64-decodes every string in an array.
    expect(await redis.mget(`${prefix}5`, `${prefix}missing`, `${prefix}0`)).toEqual(["OK", null, values[0]]);
  });

  it("returns binary values byte for byte in base64, and as UTF-8 text without the encoding header", async () => {
    const key = `${prefix}binary`;
    const bytes = Buffer.from([0xff, 0x00, 0xfe, 0x80, 0x0a]);
    await direct.set(key, bytes);
    const encoded = await post("/", ["GET", key], { "upstash-encoding": "base64" });
    expect(await encoded.json()).toEqual({ result: bytes.toString("base64") });

    await direct.set(key, "héllo");
    const plain = await post("/", ["GET", key]);
    expect(await plain.json()).toEqual({ result: "héllo" });
    expect(await client({ responseEncoding: false, automaticDeserialization: false }).get(key)).toBe("héllo");
  });

  it("evaluates Lua with keys and arguments", async () => {
    const redis = client();
    const result = await redis.eval(
      "return {KEYS[1], ARGV[1], tonumber(ARGV[2]) * 2}",
      [`${prefix}k`],
      ["é", 21],
    );
    expect(result).toEqual([`${prefix}k`, "é", 42]);
  });
});

describe("auto-pipelining and explicit pipelines", () => {
  it("batches concurrent commands into one /pipeline request when auto-pipelining is on (the default)", async () => {
    const redis = client();
    const keys = Array.from({ length: 10 }, (_, i) => `${prefix}${i}`);
    expect(await Promise.all(keys.map((key, i) => redis.set(key, i)))).toEqual(keys.map(() => "OK"));
    expect(await Promise.all(keys.map((key) => redis.get(key)))).toEqual(keys.map((_, i) => i));

    expect(commandsSent("pipeline")).toEqual([keys.map(() => "set"), keys.map(() => "get")]);
    expect(commandsSent("command")).toEqual([]);
  });

  it("sends one request per command when auto-pipelining is off", async () => {
    const redis = client({ enableAutoPipelining: false });
    const keys = Array.from({ length: 4 }, (_, i) => `${prefix}${i}`);
    await Promise.all(keys.map((key) => redis.set(key, "v")));

    expect(commandsSent("command")).toEqual(keys.map(() => ["set"]));
    expect(commandsSent("pipeline")).toEqual([]);
  });

  it("runs an explicit pipeline in order and reports a failing command in its own entry", async () => {
    const redis = client();
    const [counter, text] = [`${prefix}counter`, `${prefix}text`];
    const results = await redis
      .pipeline()
      .set(text, "not a number")
      .incr(counter)
      .incr(text)
      .incr(counter)
      .exec({ keepErrors: true });

    expect(results.map((entry) => entry.error)).toEqual([undefined, undefined, NOT_AN_INTEGER, undefined]);
    expect(results.map((entry) => entry.result)).toEqual(["OK", 1, undefined, 2]);
  });

  it("answers a pipeline with a failing entry with HTTP 200 and per-entry errors", async () => {
    const key = `${prefix}text`;
    const response = await post("/pipeline", [
      ["SET", key, "v"],
      ["INCR", key],
      ["GET", key],
      ["NOSUCHCOMMAND"],
    ]);
    expect(response.status).toBe(200);
    const body = (await response.json()) as { result?: unknown; error?: string }[];
    expect(body.slice(0, 3)).toEqual([{ result: "OK" }, { error: NOT_AN_INTEGER }, { result: "v" }]);
    expect(body[3]?.error).toMatch(/^ERR unknown command 'NOSUCHCOMMAND'/);
  });
});

describe("transactions (/multi-exec)", () => {
  it("returns every command's result from redis.multi()", async () => {
    const redis = client();
    const key = `${prefix}n`;
    expect(await redis.multi().set(key, 10).incr(key).get(key).exec()).toEqual(["OK", 11, 11]);
  });

  it("never interleaves concurrent transactions that increment the same counter", async () => {
    const redis = client();
    const counter = `${prefix}counter`;
    // The filler is larger than Redis's 16 KiB read buffer, so a non-atomic batch would be read in pieces and
    // other connections' INCRs could land between the two of one transaction.
    const filler = "x".repeat(64 * 1024);
    const transactions = Array.from({ length: 24 }, (_, i) =>
      redis
        .multi()
        .incr(counter)
        .set(`${prefix}filler:${i}`, filler)
        .incr(counter)
        .exec<[number, string, number]>(),
    );
    const results = await Promise.all(transactions);

    for (const [first, set, second] of results) {
      expect(set).toBe("OK");
      expect(second).toBe(first + 1);
    }
    expect(results.map(([first]) => first).sort((a, b) => a - b)).toEqual(
      Array.from({ length: 24 }, (_, i) => 2 * i + 1),
    );
    expect(commandsSent("multi-exec")).toHaveLength(24);
  });

  it("keeps run-time errors per entry and still applies the other commands, as Redis does", async () => {
    const key = `${prefix}text`;
    const response = await post("/multi-exec", [
      ["SET", key, "v"],
      ["INCR", key],
      ["APPEND", key, "w"],
    ]);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual([{ result: "OK" }, { error: NOT_AN_INTEGER }, { result: 2 }]);
    expect(await direct.get(key)).toBe("vw");
  });

  it("discards the whole transaction on a queue-time error (EXECABORT) and applies nothing", async () => {
    const key = `${prefix}never`;
    const response = await post("/multi-exec", [
      ["SET", key, "v"],
      ["NOSUCHCOMMAND", "x"],
    ]);
    expect(response.status).toBe(400);
    const body = (await response.json()) as { error: string };
    expect(body.error).toMatch(/^EXECABORT .*unknown command 'NOSUCHCOMMAND'/);
    expect(await direct.exists(key)).toBe(0);
  });
});

describe("scripts", () => {
  // A fresh script per test is guaranteed not to be cached. SCRIPT FLUSH would do the same, but this Redis is
  // shared with test files running in parallel, whose own EVALSHA calls it would break.
  const freshScript = (): { lua: string; sha: string } => {
    const lua = `-- ${randomBytes(8).toString("hex")}\nreturn redis.call('INCRBY', KEYS[1], ARGV[1])`;
    return { lua, sha: createHash("sha1").update(lua).digest("hex") };
  };

  it("createScript().exec falls back from EVALSHA to EVAL on NOSCRIPT, then reuses the loaded script", async () => {
    const { lua, sha } = freshScript();
    expect(await direct.script("EXISTS", sha)).toEqual([0]);
    const script = client().createScript<number>(lua);
    const key = `${prefix}n`;

    expect(await script.exec([key], ["5"])).toBe(5);
    expect(events.flatMap((event) => event.commands)).toEqual(["evalsha", "eval"]);
    expect(await direct.script("EXISTS", sha)).toEqual([1]);

    events = [];
    expect(await script.exec([key], ["2"])).toBe(7);
    expect(events.flatMap((event) => event.commands)).toEqual(["evalsha"]);
  });

  it("lets a plain evalsha fail with NOSCRIPT (no fallback)", async () => {
    const { sha } = freshScript();
    await expect(client().evalsha(sha, [`${prefix}n`], ["1"])).rejects.toThrow(/NOSCRIPT/);
  });
});

describe("errors", () => {
  it("surfaces a Redis error reply as a thrown error, with and without auto-pipelining", async () => {
    const key = `${prefix}text`;
    await direct.set(key, "not a number");
    await expect(client().incr(key)).rejects.toThrow(NOT_AN_INTEGER);
    await expect(client({ enableAutoPipelining: false }).incr(key)).rejects.toThrow(NOT_AN_INTEGER);

    const response = await post("/", ["INCR", key]);
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({ error: NOT_AN_INTEGER });
  });

  it("rejects a missing or wrong token with 401 and accepts the right one", async () => {
    await expect(
      new UpstashRedis({ url: bridge.url, token: "wrong", retry: false }).get("k"),
    ).rejects.toThrow(/Unauthorized/);
    const wrong = await post("/", ["PING"], { authorization: "Bearer wrong" });
    expect(wrong.status).toBe(401);
    expect(await wrong.json()).toEqual({ error: "Unauthorized" });
    const missing = await fetch(bridge.url, { method: "POST", body: JSON.stringify(["PING"]) });
    expect(missing.status).toBe(401);
    const right = await post("/", ["PING"]);
    expect(right.status).toBe(200);
    expect(await right.json()).toEqual({ result: "PONG" });
  });

  it("answers malformed JSON and ill-shaped bodies with 400 JSON errors", async () => {
    const cases: [string, string, RegExp][] = [
      ["/", '["GET",', /^ERR malformed JSON body/],
      ["/", '{"command":"GET"}', /^ERR invalid request body/],
      ["/", '["SET","k",{"nested":true}]', /^ERR invalid request body/],
      ["/", "[]", /^ERR invalid request body/],
      ["/pipeline", "[]", /^ERR invalid request body/],
      ["/pipeline", '["GET","k"]', /^ERR invalid request body/],
      ["/multi-exec", "not json", /^ERR malformed JSON body/],
    ];
    for (const [path, body, expected] of cases) {
      const response = await post(path, body);
      expect(response.status, `${path} ${body}`).toBe(400);
      expect(((await response.json()) as { error: string }).error, `${path} ${body}`).toMatch(expected);
    }
  });

  it("refuses a body over 10 MB with 413 and keeps serving", async () => {
    const value = "x".repeat(11 * 1024 * 1024);
    const response = await post("/", ["SET", `${prefix}big`, value]);
    expect(response.status).toBe(413);
    expect(((await response.json()) as { error: string }).error).toMatch(/exceeds the 10485760-byte limit/);
    expect(await direct.exists(`${prefix}big`)).toBe(0);
    expect((await post("/", ["PING"])).status).toBe(200);
  });

  it("refuses blocking, WATCH and MULTI commands without running them", async () => {
    const list = `${prefix}list`;
    await direct.rpush(list, "job-1");
    const blpop = await post("/", ["BLPOP", list, 1]);
    expect(blpop.status).toBe(400);
    expect(((await blpop.json()) as { error: string }).error).toMatch(/^ERR blocking command 'BLPOP'/);
    expect(await direct.llen(list)).toBe(1);

    const pipeline = await post("/pipeline", [
      ["WATCH", list],
      ["XREAD", "BLOCK", 10, "STREAMS", list, "$"],
      ["LLEN", list],
    ]);
    expect(pipeline.status).toBe(200);
    const entries = (await pipeline.json()) as { result?: unknown; error?: string }[];
    expect(entries[0]?.error).toMatch(/^ERR 'WATCH' is not supported over REST/);
    expect(entries[1]?.error).toMatch(/^ERR blocking command 'XREAD'/);
    expect(entries[2]).toEqual({ result: 1 });

    const multi = await post("/multi-exec", [
      ["LPOP", list],
      ["BRPOP", list, 1],
    ]);
    expect(multi.status).toBe(400);
    expect(await direct.llen(list)).toBe(1);
  });

  it("answers unknown methods with 405 and reserved sub-paths with 404", async () => {
    const cases: [string, string, number][] = [
      ["GET", "/pipeline", 405],
      ["PUT", "/", 405],
      ["DELETE", "/get/k", 405],
      ["POST", "/pipeline/extra", 404],
    ];
    for (const [method, path, status] of cases) {
      const response = await fetch(`${bridge.url}${path}`, {
        method,
        headers: { authorization: `Bearer ${TOKEN}` },
      });
      expect(response.status, `${method} ${path}`).toBe(status);
      expect(((await response.json()) as { error: string }).error, `${method} ${path}`).toMatch(/^ERR /);
    }
  });
});

describe("protocol details", () => {
  it("returns a sync token that moves forward and is accepted back", async () => {
    const first = await post("/", ["PING"]);
    const second = await post("/", ["PING"], {
      "upstash-sync-token": first.headers.get("upstash-sync-token") ?? "",
    });
    expect(Number(second.headers.get("upstash-sync-token"))).toBeGreaterThan(
      Number(first.headers.get("upstash-sync-token")),
    );
    expect(second.status).toBe(200);
  });

  it("serves Upstash's URL form: path arguments, a raw POST body as the value, query options, _token", async () => {
    const key = `${prefix}path`;
    const set = await fetch(`${bridge.url}/set/${encodeURIComponent(key)}/a%2Fb?EX=100&_token=${TOKEN}`);
    expect(await set.json()).toEqual({ result: "OK" });
    expect(await direct.get(key)).toBe("a/b");
    expect(await direct.ttl(key)).toBeGreaterThan(0);

    const bytes = Buffer.from([0x00, 0xff, 0x10]);
    const posted = await fetch(`${bridge.url}/set/${encodeURIComponent(key)}`, {
      method: "POST",
      headers: { authorization: `Bearer ${TOKEN}` },
      body: bytes,
    });
    expect(posted.status).toBe(200);
    expect(await direct.getBuffer(key)).toEqual(bytes);
    expect(commandsSent("path-command")).toEqual([["set"], ["set"]]);
  });
});

describe("a Redis that stalls or cannot be reached", () => {
  let own: RunningRedis;
  let slowBridge: UpstashBridge;

  beforeAll(async () => {
    own = await (await pickBackend()).startRedis();
    slowBridge = await startUpstashBridge({ redisUrl: own.url, token: TOKEN, commandTimeoutMs: 300 });
  });

  afterAll(async () => {
    await slowBridge?.close();
    await own?.stop();
  });

  it("fails a command with 504 while Redis is busy past the command timeout, then serves again", async () => {
    const blocker = new IORedis(own.url);
    try {
      await blocker.ping(); // connected, so the script below is written to Redis at once
      // A 2 s busy Lua loop stalls this private redis-server; the bridge gives up after 300 ms.
      const busy = blocker.eval(
        "local start = redis.call('TIME') repeat local now = redis.call('TIME') until (now[1] - start[1]) * 1e6 + (now[2] - start[2]) > 2e6 return 1",
        0,
      );
      await sleep(200);
      const stalled = await fetch(slowBridge.url, {
        method: "POST",
        headers: { authorization: `Bearer ${TOKEN}` },
        body: JSON.stringify(["PING"]),
      });
      expect(stalled.status).toBe(504);
      expect(await stalled.json()).toEqual({ error: "ERR command timed out in the bridge" });
      expect(await busy).toBe(1);
      const again = client({ url: slowBridge.url });
      expect(await again.ping()).toBe("PONG");
    } finally {
      blocker.disconnect();
    }
  });

  it("refuses to start when Redis is unreachable, without leaking the password", async () => {
    const closedPort = await findFreePort();
    const start = startUpstashBridge({
      redisUrl: `redis://user:s3cret@127.0.0.1:${closedPort}`,
      token: TOKEN,
    });
    await expect(start).rejects.toThrow(`cannot reach Redis at redis://127.0.0.1:${closedPort}`);
    await expect(start).rejects.not.toThrow(/s3cret/);
  });
});

describe("scripted faults (Upstash's and its proxies' failures)", () => {
  const incr = (key: string) => post("/", ["INCR", key]);

  it("answers each queued fault once, in order, then serves normally", async () => {
    const key = `${prefix}faulted`;
    bridge.setFaults([
      { kind: "rate-limited" },
      { kind: "proxy-page", status: 502, effect: "dropped" },
      { kind: "not-json", effect: "dropped" },
    ]);
    const limited = await incr(key);
    expect(limited.status).toBe(429);
    expect(await limited.json()).toEqual({
      error: expect.stringMatching(/^ERR max requests limit exceeded/),
    });
    const proxy = await incr(key);
    expect([proxy.status, proxy.headers.get("content-type")]).toEqual([502, "text/html"]);
    expect(await proxy.text()).toMatch(/<h1>502 Bad Gateway<\/h1>/);
    const portal = await incr(key);
    expect([portal.status, portal.headers.get("content-type")]).toEqual([200, "text/html"]);
    expect(await portal.text()).toMatch(/^<html>/);
    expect(bridge.pendingFaults()).toBe(0);
    expect(await (await incr(key)).json()).toEqual({ result: 1 });
    // None of the dropped commands reached Redis.
    expect(await direct.get(key)).toBe("1");
  });

  it("runs the command before losing its answer when the fault is applied", async () => {
    const key = `${prefix}applied`;
    bridge.setFaults([{ kind: "proxy-page", status: 503, effect: "applied" }]);
    expect((await incr(key)).status).toBe(503);
    expect(await direct.get(key)).toBe("1");
  });

  it("resets the connection without an answer", async () => {
    const key = `${prefix}reset`;
    bridge.setFaults([
      { kind: "reset", effect: "dropped" },
      { kind: "reset", effect: "applied" },
    ]);
    await expect(incr(key)).rejects.toThrow();
    await expect(incr(key)).rejects.toThrow();
    expect(await direct.get(key)).toBe("1");
    expect(await (await incr(key)).json()).toEqual({ result: 2 });
  });
});
