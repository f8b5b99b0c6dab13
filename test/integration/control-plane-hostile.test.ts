// Malformed and hostile requests: each gets a clear JSON error with a stable code, and the service stays healthy.
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SIGNATURE_HEADER } from "../../core/signature-header.ts";
import { signBody } from "../../shell/signing/hmac-signature.ts";
import {
  API_KEY,
  callbackKeyFor,
  EVENT_SECRET,
  type Harness,
  nonce,
  type RunningJob,
  r2Event,
  startHarness,
  startRunningJob,
  type TestResponse,
} from "./control-plane-harness.ts";

let h: Harness;
let running: RunningJob;

beforeAll(async () => {
  h = await startHarness("cp-hostile", {
    ALLOW_PRIVATE_URLS: "false",
    MAX_CALLBACK_BYTES: String(1024 * 1024),
  });
  running = await startRunningJob(h);
});
afterAll(() => h?.close());

const post = (path: string, body: BodyInit | null, headers: Record<string, string> = {}) =>
  h.request(path, { method: "POST", headers: { "content-type": "application/json", ...headers }, body });
const authed = (path: string, body: BodyInit | null, headers: Record<string, string> = {}) =>
  post(path, body, { authorization: `Bearer ${API_KEY}`, ...headers });
const upload = (body: unknown, headers: Record<string, string> = {}) =>
  authed("/api/upload", JSON.stringify(body), headers);
const ingest = (body: unknown) => authed("/api/jobs", JSON.stringify(body));
const get = (path: string, auth = true) =>
  h.request(path, auth ? { headers: { authorization: `Bearer ${API_KEY}` } } : {});
const callback = (body: Record<string, unknown>) =>
  JSON.stringify({ ...running, sentAt: Date.now(), nonce: nonce(), kind: "progress", percent: 10, ...body });
/** The running job's machine's own callback key. */
const machineKey = () => callbackKeyFor(running.machineId);
const signedWith = async (path: string, body: string, secret: string, atMs = Date.now()) =>
  post(path, body, { [SIGNATURE_HEADER]: await signBody(secret, body, atMs) });

const FIVE_MB = "x".repeat(5 * 1024 * 1024);
const ok = { filename: "clip.mp4", preset: "web-optimized", size: 1000 };

interface Case {
  readonly name: string;
  readonly send: () => Promise<TestResponse>;
  readonly status: number;
  readonly code: string;
  /** Part of the message a client needs to fix the request. */
  readonly says?: string;
}

const CASES: readonly Case[] = [
  {
    name: "no Authorization header",
    send: () => post("/api/upload", JSON.stringify(ok)),
    status: 401,
    code: "unauthorized",
  },
  {
    name: "a wrong API key",
    send: () => post("/api/upload", JSON.stringify(ok), { authorization: `Bearer ${API_KEY}x` }),
    status: 401,
    code: "unauthorized",
  },
  {
    name: "Basic instead of Bearer",
    send: () => post("/api/upload", JSON.stringify(ok), { authorization: `Basic ${btoa(`u:${API_KEY}`)}` }),
    status: 401,
    code: "unauthorized",
  },
  {
    name: "a key with trailing garbage",
    send: () => post("/api/upload", JSON.stringify(ok), { authorization: `Bearer ${API_KEY} extra` }),
    status: 401,
    code: "unauthorized",
  },
  {
    name: "GET a job without a key",
    send: () => get(`/api/jobs/${running.jobId}`, false),
    status: 401,
    code: "unauthorized",
  },
  { name: "stats without a key", send: () => get("/api/stats", false), status: 401, code: "unauthorized" },
  {
    name: "body that is not JSON",
    send: () => authed("/api/upload", "{filename:"),
    status: 400,
    code: "invalid-json",
  },
  { name: "an empty body", send: () => authed("/api/upload", ""), status: 400, code: "invalid-json" },
  { name: "a JSON array", send: () => upload([ok]), status: 400, code: "invalid-request" },
  { name: "JSON null", send: () => upload(null), status: 400, code: "invalid-request" },
  {
    name: "an unknown preset",
    send: () => upload({ ...ok, preset: "ultra-4k" }),
    status: 400,
    code: "invalid-request",
    says: "unknown preset",
  },
  {
    name: "a number for filename",
    send: () => upload({ ...ok, filename: 42 }),
    status: 400,
    code: "invalid-request",
    says: "filename",
  },
  {
    name: "an empty filename",
    send: () => upload({ ...ok, filename: "" }),
    status: 400,
    code: "invalid-request",
    says: "filename",
  },
  {
    name: "a NUL byte in the filename",
    send: () => upload({ ...ok, filename: "a\u0000.mp4" }),
    status: 400,
    code: "invalid-request",
    says: "control characters",
  },
  {
    name: "a 300-character filename",
    send: () => upload({ ...ok, filename: `${"a".repeat(296)}.mp4` }),
    status: 400,
    code: "invalid-request",
    says: "filename",
  },
  {
    name: "an unknown field",
    send: () => upload({ ...ok, bucket: "other" }),
    status: 400,
    code: "invalid-request",
    says: "bucket",
  },
  {
    name: "a header-injecting contentType",
    send: () => upload({ ...ok, contentType: "video/mp4\r\nx-amz-acl: public-read" }),
    status: 400,
    code: "invalid-request",
    says: "contentType",
  },
  {
    name: "a negative size",
    send: () => upload({ ...ok, size: -1 }),
    status: 400,
    code: "invalid-request",
    says: "size",
  },
  {
    name: "a fractional size",
    send: () => upload({ ...ok, size: 1.5 }),
    status: 400,
    code: "invalid-request",
    says: "size",
  },
  {
    name: "a size over the upload limit",
    send: () => upload({ ...ok, size: 6 * 1024 ** 3 }),
    status: 413,
    code: "payload-too-large",
  },
  {
    name: "an upload without a size (multipart or not)",
    send: () => upload({ filename: "clip.mp4", preset: "web-optimized", multipart: true }),
    status: 400,
    code: "invalid-request",
    says: "size",
  },
  {
    name: "a file:// webhook",
    send: () => upload({ ...ok, webhookUrl: "file:///etc/passwd" }),
    status: 400,
    code: "invalid-request",
    says: "webhookUrl",
  },
  {
    name: "a webhook at the cloud metadata address",
    send: () => upload({ ...ok, webhookUrl: "http://169.254.169.254/latest/meta-data" }),
    status: 400,
    code: "url-not-allowed",
  },
  {
    name: "a bad Idempotency-Key",
    send: () => upload(ok, { "idempotency-key": "has spaces / and slashes" }),
    status: 400,
    code: "invalid-request",
    says: "Idempotency-Key",
  },
  {
    name: "ingest from ftp://",
    send: () => ingest({ inputUrl: "ftp://example.com/a.mp4", preset: "hls" }),
    status: 400,
    code: "invalid-request",
    says: "inputUrl",
  },
  {
    name: "ingest from loopback",
    send: () => ingest({ inputUrl: "http://127.0.0.1:6379/", preset: "hls" }),
    status: 400,
    code: "url-not-allowed",
  },
  {
    name: "ingest from IPv6 loopback",
    send: () => ingest({ inputUrl: "http://[::1]/a.mp4", preset: "hls" }),
    status: 400,
    code: "url-not-allowed",
  },
  {
    name: "ingest from a decimal-encoded loopback",
    send: () => ingest({ inputUrl: "http://2130706433/a.mp4", preset: "hls" }),
    status: 400,
    code: "url-not-allowed",
  },
  {
    name: "ingest from an IPv4-mapped private address",
    send: () => ingest({ inputUrl: "http://[::ffff:10.0.0.1]/a.mp4", preset: "hls" }),
    status: 400,
    code: "url-not-allowed",
  },
  {
    name: "ingest from localhost by name",
    send: () => ingest({ inputUrl: "http://localhost:8787/api/stats", preset: "hls" }),
    status: 400,
    code: "url-not-allowed",
  },
  {
    name: "ingest with credentials in the URL",
    send: () => ingest({ inputUrl: "http://user:pw@example.com/a.mp4", preset: "hls" }),
    status: 400,
    code: "url-not-allowed",
  },
  { name: "a 5 MB body", send: () => authed("/api/upload", FIVE_MB), status: 413, code: "payload-too-large" },
  {
    name: "a traversal in the job id",
    send: () => get("/api/jobs/..%2F..%2Fetc%2Fpasswd"),
    status: 404,
    code: "job-not-found",
  },
  {
    name: "an unknown job",
    send: () => get("/api/jobs/job_000000000000000000000000"),
    status: 404,
    code: "job-not-found",
  },
  {
    name: "cancel an unknown job",
    send: () => authed("/api/jobs/job_000000000000000000000000/cancel", ""),
    status: 404,
    code: "job-not-found",
  },
  {
    name: "complete with no parts",
    send: () => authed(`/api/upload/${running.jobId}/complete`, JSON.stringify({ uploadId: "u", parts: [] })),
    status: 400,
    code: "invalid-request",
    says: "parts",
  },
  {
    name: "complete for a job not uploading",
    send: () =>
      authed(
        `/api/upload/${running.jobId}/complete`,
        JSON.stringify({ uploadId: "u", parts: [{ partNumber: 1, eTag: "e" }] }),
      ),
    status: 409,
    code: "invalid-transition",
  },
  { name: "an unknown route", send: () => get("/api/admin"), status: 404, code: "not-found" },
  {
    name: "a media URL with a forged token",
    send: () => get(`/media/9999999999.${"A".repeat(43)}/${running.jobId}/master.m3u8`, false),
    status: 404,
    code: "not-found",
  },
  {
    name: "a callback without a signature",
    send: () => post("/internal/callbacks", callback({})),
    status: 401,
    code: "missing-signature",
  },
  {
    name: "a callback with a malformed signature",
    send: () => post("/internal/callbacks", callback({}), { [SIGNATURE_HEADER]: "t=abc,v1=zz" }),
    status: 401,
    code: "malformed-signature",
  },
  {
    name: "a callback signed with another secret",
    send: () => signedWith("/internal/callbacks", callback({}), "not-the-callback-secret"),
    status: 401,
    code: "bad-signature",
  },
  {
    name: "a callback signed 10 minutes ago",
    send: () => signedWith("/internal/callbacks", callback({}), machineKey(), Date.now() - 600_000),
    status: 401,
    code: "stale-signature",
  },
  {
    name: "a callback whose body was changed after signing",
    send: async () => {
      const body = callback({});
      return post("/internal/callbacks", body.replace('"percent":10', '"percent":99'), {
        [SIGNATURE_HEADER]: await signBody(machineKey(), body, Date.now()),
      });
    },
    status: 401,
    code: "bad-signature",
  },
  {
    name: "a signed callback of an unknown kind",
    send: () => signedWith("/internal/callbacks", callback({ kind: "exploded" }), machineKey()),
    status: 400,
    code: "invalid-request",
  },
  {
    name: "a signed callback under a lost lease",
    send: () => signedWith("/internal/callbacks", callback({ leaseToken: "lease_stolen" }), machineKey()),
    status: 409,
    code: "stale-lease",
  },
  {
    name: "a signed completion with outputs outside the job",
    send: () =>
      signedWith(
        "/internal/callbacks",
        callback({
          kind: "completed",
          costUsd: 0,
          machineSeconds: 1,
          outputs: [{ type: "video", key: "../../uploads/other/x.mp4", contentType: "video/mp4", size: 1 }],
        }),
        machineKey(),
      ),
    status: 400,
    code: "invalid-request",
    says: "outside",
  },
  {
    name: "a callback over the callback body limit",
    send: () => signedWith("/internal/callbacks", FIVE_MB, machineKey()),
    status: 413,
    code: "payload-too-large",
  },
  {
    name: "a forged storage event",
    send: () =>
      signedWith(
        "/internal/events",
        JSON.stringify(r2Event(h, `uploads/${running.jobId}/r.mp4`, 10)),
        "forged",
      ),
    status: 401,
    code: "bad-signature",
  },
  {
    name: "a signed storage event of the wrong shape",
    send: () =>
      signedWith("/internal/events", JSON.stringify({ action: "PutObject", object: "x" }), EVENT_SECRET),
    status: 400,
    code: "invalid-request",
  },
  {
    name: "a signed storage event that is not JSON",
    send: () => signedWith("/internal/events", "not json", EVENT_SECRET),
    status: 400,
    code: "invalid-json",
  },
];

describe("hostile and malformed requests", () => {
  it("has at least 30 cases", () => expect(CASES.length).toBeGreaterThanOrEqual(30));

  it.each(CASES)("$name → $status $code", async ({ send, status, code, says }) => {
    const response = await send();
    expect(response.status).toBe(status);
    expect(response.headers.get("content-type")).toMatch(/^application\/json/);
    const body = await response.json();
    expect(body).toEqual({ code, message: expect.any(String) });
    expect(body.message.length).toBeGreaterThan(3);
    if (says) expect(body.message).toContain(says);
  });

  it("refuses a replayed callback: the same signed request twice", async () => {
    const body = callback({ percent: 20 });
    const headers = { [SIGNATURE_HEADER]: await signBody(machineKey(), body, Date.now()) };
    const first = await post("/internal/callbacks", body, headers);
    expect(first.status).toBe(200);
    const replay = await post("/internal/callbacks", body, headers);
    expect(replay.status).toBe(409);
    expect(await replay.json()).toMatchObject({ code: "replayed" });
  });

  it("stays healthy and serves a valid request afterwards", async () => {
    const health = await h.request("/health");
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: "ok" });
    const fine = await upload({ ...ok, filename: `after-${randomBytes(2).toString("hex")}.mp4` });
    expect(fine.status).toBe(201);
    expect(h.logs.filter((line) => line.event === "request.internal-error")).toEqual([]);
  });
});
