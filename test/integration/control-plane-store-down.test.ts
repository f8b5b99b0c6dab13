// The job store down: while Redis is stopped, frozen (SIGSTOP: requests time out) or its REST endpoint refuses
// connections, every route of the app (read from app.routes, so a new route cannot be left out) answers 503 with
// Retry-After and a JSON {code, message}, never a 500; once Redis is back, the same calls answer as they did before.
import { randomBytes } from "node:crypto";
import { readFile } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApp } from "../../shell/control-plane/http/app.ts";
import { mediaTokens } from "../../shell/control-plane/views/media-token.ts";
import { findFreePort } from "../../shell/dev/local-services/free-port.ts";
import { pickBackend } from "../services/pick-backend.ts";
import type { RunningRedis } from "../services/service-backend.ts";
import { type Harness, nonce, r2Event, startHarness } from "./control-plane-harness.ts";

const backend = await pickBackend();
let server: RunningRedis;
let h: Harness;
let source: Server;

beforeAll(async () => {
  server = await backend.startRedis();
  // Short REST timeouts, so a frozen Redis reads as unreachable after the runner's retries in about 3 s.
  h = await startHarness("store-down", { REDIS_TIMEOUT_MS: "500" }, { redisUrl: server.url });
  // The test's own connection sees the outages too; they are the point, not news.
  h.redis.on("error", () => undefined);
  // A URL ingest's source.
  source = createServer((_, res) =>
    res.writeHead(200, { "content-type": "video/mp4" }).end(randomBytes(512)),
  );
  await new Promise<void>((resolve) => source.listen(0, "127.0.0.1", resolve));
});
afterAll(async () => {
  await h?.close();
  await new Promise<void>((resolve) => (source ? source.close(() => resolve()) : resolve()));
  await server?.stop();
});

/** What the calls need, made while Redis is up: jobs waiting for their upload, one of them multipart. */
interface Fixture {
  readonly jobId: string;
  readonly inputKey: string;
  readonly multipartJobId: string;
  readonly uploadId: string;
  readonly eTag: string;
  /** Another multipart upload, only listed: the calls run at once, and completing the first one ends its listing. */
  readonly listedJobId: string;
  readonly listedUploadId: string;
  readonly mediaToken: string;
}

const MULTIPART_SIZE = 6 * 1024 * 1024;

const prepare = async (harness: Harness): Promise<Fixture> => {
  const single = await (
    await harness.api("/api/upload", {
      method: "POST",
      json: { filename: "a.mp4", preset: "mobile", size: 1024 },
    })
  ).json();
  const startMultipart = async (filename: string) => {
    const answer = await (
      await harness.api("/api/upload", {
        method: "POST",
        json: { filename, preset: "mobile", size: MULTIPART_SIZE, multipart: true },
      })
    ).json();
    if (!answer.multipart) throw new Error(`upload: ${JSON.stringify(answer)}`);
    return answer;
  };
  const multi = await startMultipart("b.mp4");
  const listed = await startMultipart("c.mp4");
  const [part] = multi.multipart.parts;
  // Each part URL is signed for exactly its part's bytes: part 1 is a whole part (or the whole file).
  const partBytes = Math.min(multi.multipart.partSize, MULTIPART_SIZE);
  const put = await fetch(part.url, { method: "PUT", body: randomBytes(partBytes) });
  expect(put.status).toBe(200);
  return {
    jobId: single.jobId,
    inputKey: single.inputKey,
    multipartJobId: multi.jobId,
    uploadId: multi.multipart.uploadId,
    eTag: put.headers.get("etag") as string,
    listedJobId: listed.jobId,
    listedUploadId: listed.multipart.uploadId,
    mediaToken: await mediaTokens(harness.deps.config.media.secret).issue(single.jobId, Date.now(), 3600),
  };
};

type Call = (harness: Harness, fx: Fixture) => Promise<Response>;

const post = (harness: Harness, path: string, json: unknown) => harness.api(path, { method: "POST", json });

/** One well-formed call per registered route ("METHOD path", as app.routes lists it). */
const CALLS: Record<string, Call> = {
  "GET /health": (harness) => harness.request("/health"),
  "GET /api/openapi.json": (harness) => harness.request("/api/openapi.json"),
  "GET /": (harness) => harness.request("/"),
  "GET /app/:file": (harness) => harness.request("/app/dashboard.js"),
  "POST /api/upload": (harness) =>
    post(harness, "/api/upload", { filename: "c.mp4", preset: "hls", size: 1024 }),
  "GET /api/upload/:id/parts": (harness, fx) =>
    harness.api(`/api/upload/${fx.listedJobId}/parts?uploadId=${encodeURIComponent(fx.listedUploadId)}`),
  "POST /api/upload/:id/parts": (harness, fx) =>
    post(harness, `/api/upload/${fx.multipartJobId}/parts`, { uploadId: fx.uploadId, partNumbers: [1, 2] }),
  "POST /api/upload/:id/complete": (harness, fx) =>
    post(harness, `/api/upload/${fx.multipartJobId}/complete`, {
      uploadId: fx.uploadId,
      parts: [{ partNumber: 1, eTag: fx.eTag }],
    }),
  "POST /api/jobs": (harness) =>
    post(harness, "/api/jobs", {
      inputUrl: `http://127.0.0.1:${(source.address() as AddressInfo).port}/clip.mp4`,
      preset: "mobile",
    }),
  "GET /api/jobs": (harness) => harness.api("/api/jobs?limit=5"),
  "GET /api/jobs/:id": (harness, fx) => harness.api(`/api/jobs/${fx.jobId}`),
  "GET /api/jobs/:id/record": (harness, fx) => harness.api(`/api/jobs/${fx.jobId}/record`),
  "POST /api/jobs/:id/cancel": (harness, fx) => post(harness, `/api/jobs/${fx.jobId}/cancel`, {}),
  "GET /api/stats": (harness) => harness.api("/api/stats"),
  "GET /media/:token/:jobId/*": (harness, fx) =>
    harness.request(`/media/${fx.mediaToken}/${fx.jobId}/master.m3u8`),
  "POST /internal/callbacks": (harness, fx) =>
    harness.signed(
      "/internal/callbacks",
      JSON.stringify({
        kind: "progress",
        jobId: fx.jobId,
        leaseToken: `lease_${nonce()}`,
        machineId: `m_${nonce()}`,
        sentAt: Date.now(),
        nonce: nonce(),
        percent: 10,
      }),
    ),
  "POST /internal/events": (harness, fx) =>
    harness.signed("/internal/events", JSON.stringify(r2Event(harness, fx.inputKey, 1024))),
};

/** Routes that never touch the job store: they answer as usual whatever Redis does. */
const STORE_FREE = new Set(["GET /health", "GET /api/openapi.json", "GET /", "GET /app/:file"]);

const registeredRoutes = (harness: Harness): string[] => [
  ...new Set(
    createApp(harness.deps)
      .routes.filter((route) => route.method !== "ALL")
      .map((route) => `${route.method} ${route.path}`),
  ),
];

interface Answer {
  readonly status: number;
  readonly retryAfter: string | null;
  readonly body: unknown;
}

const callEvery = async (harness: Harness, fx: Fixture): Promise<Record<string, Answer>> => {
  const routes = registeredRoutes(harness);
  const answers = await Promise.all(
    routes.map(async (route): Promise<[string, Answer]> => {
      const call = CALLS[route];
      if (!call) throw new Error(`no call for ${route}: add one to CALLS`);
      const response = await call(harness, fx);
      const text = await response.text();
      let body: unknown = text;
      try {
        body = JSON.parse(text);
      } catch {}
      return [route, { status: response.status, retryAfter: response.headers.get("retry-after"), body }];
    }),
  );
  return Object.fromEntries(answers);
};

const statuses = (answers: Record<string, Answer>) =>
  Object.fromEntries(Object.entries(answers).map(([route, answer]) => [route, answer.status]));

/** Every store route: 503, Retry-After in whole seconds, and a JSON body saying the store is unreachable. */
const expectStoreUnavailable = (answers: Record<string, Answer>, healthy: Record<string, number>) => {
  const seen: Record<string, unknown> = {};
  const wanted: Record<string, unknown> = {};
  for (const [route, answer] of Object.entries(answers)) {
    seen[route] = { status: answer.status, retryAfter: answer.retryAfter, body: answer.body };
    wanted[route] = STORE_FREE.has(route)
      ? { status: healthy[route], retryAfter: null, body: expect.anything() }
      : {
          status: 503,
          retryAfter: expect.stringMatching(/^[1-9]\d*$/),
          body: { code: "store-unavailable", message: expect.stringMatching(/job store/) },
        };
  }
  expect(seen).toEqual(wanted);
};

/** The redis-server's own pid, read from Redis and checked against /proc, so no other process is signalled. */
const redisPid = async (harness: Harness): Promise<number> => {
  const info = await harness.redis.info("server");
  const pid = Number(/process_id:(\d+)/.exec(info)?.[1]);
  const cmdline = await readFile(`/proc/${pid}/cmdline`, "utf8");
  if (!cmdline.includes("redis-server") || !cmdline.includes(String(server.port))) {
    throw new Error(`pid ${pid} is not this test's redis-server`);
  }
  return pid;
};

describe("the job store unreachable", () => {
  let healthy: Record<string, number>;

  beforeAll(async () => {
    healthy = statuses(await callEvery(h, await prepare(h)));
    for (const [route, status] of Object.entries(healthy)) expect(status, route).toBeLessThan(500);
  });

  it("a stopped redis-server: every route answers 503 with Retry-After, then as before once it is back", async () => {
    const fx = await prepare(h);
    await h.redis.shutdown("NOSAVE").catch(() => undefined);
    expectStoreUnavailable(await callEvery(h, fx), healthy);

    await server.restart();
    expect(statuses(await callEvery(h, await prepare(h)))).toEqual(healthy);
  });

  // Signalling needs the server as a process of this machine.
  it.skipIf(backend.name !== "local-processes")(
    "a frozen redis-server (SIGSTOP): requests time out into 503s, then answer as before after SIGCONT",
    async () => {
      const fx = await prepare(h);
      const pid = await redisPid(h);
      process.kill(pid, "SIGSTOP");
      try {
        expectStoreUnavailable(await callEvery(h, fx), healthy);
      } finally {
        process.kill(pid, "SIGCONT");
      }
      expect(statuses(await callEvery(h, await prepare(h)))).toEqual(healthy);
    },
  );

  it("a redis-server busy running a long script (BUSY replies): 503s, then as before after SCRIPT KILL", async () => {
    const fx = await prepare(h);
    await h.redis.config("SET", "busy-reply-threshold", "100");
    const blocker = h.redis.duplicate();
    const busy = blocker.eval("while true do end", 0).catch((error: Error) => error);
    try {
      // Once past the threshold, Redis answers every other client with a BUSY error reply.
      await expect.poll(() => h.redis.ping().catch((error: Error) => error.message)).toMatch(/^BUSY/);
      expectStoreUnavailable(await callEvery(h, fx), healthy);
    } finally {
      await h.redis.script("KILL").catch(() => undefined);
      expect(String(await busy)).toMatch(/killed/i);
      blocker.disconnect();
    }
    expect(statuses(await callEvery(h, await prepare(h)))).toEqual(healthy);
  });

  it("a REST endpoint that refuses connections: every route answers 503 with Retry-After", async () => {
    const fx = await prepare(h);
    const closed = await findFreePort();
    const cut = h.variant({ UPSTASH_REDIS_REST_URL: `http://127.0.0.1:${closed}` });
    expectStoreUnavailable(await callEvery(cut, fx), healthy);
  });
});
