// The REST API end to end through app.request(): presigned uploads checked by the real S3 server, storage events,
// a job completed by a (simulated) worker's signed callback, its outputs fetched, webhooks, cancel, stats.
import { randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { recordKey } from "../../core/output-keys.ts";
import { PRESET_NAMES } from "../../core/preset-names.ts";
import { SIGNATURE_HEADER } from "../../core/signature-header.ts";
import { createApp } from "../../shell/control-plane/http/app.ts";
import { mediaTokens } from "../../shell/control-plane/views/media-token.ts";
import { verifyBody } from "../../shell/signing/hmac-signature.ts";
import {
  API_KEY,
  CALLBACK_SECRET,
  type Harness,
  keysOf,
  nonce,
  PUBLIC_URL,
  r2Event,
  startHarness,
  WEBHOOK_SECRET,
} from "./control-plane-harness.ts";

let h: Harness;

beforeAll(async () => {
  h = await startHarness("cp-api", { MULTIPART_PART_BYTES: String(5 * 1024 * 1024) });
});
afterAll(() => h?.close());

interface UploadBody {
  jobId: string;
  inputKey: string;
  uploadUrl: string;
  uploadHeaders: Record<string, string>;
  expiresAt: string;
}

const requestUpload = async (body: Record<string, unknown>, headers: Record<string, string> = {}) => {
  const response = await h.api("/api/upload", { method: "POST", json: body, headers });
  return { response, body: (await response.json()) as UploadBody & Record<string, unknown> };
};

const putBytes = (url: string, bytes: Uint8Array, headers: Record<string, string>) =>
  fetch(url, { method: "PUT", headers, body: bytes });

/** PUTs random bytes part by part to the signed URLs, completes the upload, and checks the object's size. */
const uploadParts = async (
  harness: Harness,
  job: { readonly jobId: string; readonly inputKey: string },
  uploadId: string,
  partSize: number,
  parts: readonly { readonly partNumber: number; readonly url: string }[],
  size: number,
) => {
  const data = randomBytes(size);
  const eTags = [];
  for (const part of parts) {
    const start = (part.partNumber - 1) * partSize;
    const put = await fetch(part.url, { method: "PUT", body: data.subarray(start, start + partSize) });
    expect(put.status).toBe(200);
    eTags.push({ partNumber: part.partNumber, eTag: put.headers.get("etag") as string });
  }
  const completed = await harness.api(`/api/upload/${job.jobId}/complete`, {
    method: "POST",
    json: { uploadId, parts: eTags },
  });
  expect(completed.status).toBe(200);
  expect((await harness.deps.inputs.head(job.inputKey))._unsafeUnwrap().size).toBe(size);
};

const getJob = async (jobId: string) => {
  const response = await h.api(`/api/jobs/${jobId}`);
  expect(response.status).toBe(200);
  return response.json();
};

describe("POST /api/upload", () => {
  it("issues a presigned PUT for uploads/<jobId>/<safe name> that the S3 server accepts", async () => {
    const before = Date.now();
    const { response, body } = await requestUpload({
      filename: "../My Clip (final).MP4",
      preset: "web-optimized",
      size: 2048,
    });
    expect(response.status).toBe(201);
    expect(body.inputKey).toBe(`uploads/${body.jobId}/My-Clip-final.mp4`);
    expect(body.uploadHeaders).toEqual({ "content-type": "video/mp4", "content-length": "2048" });
    const expiresIn = Date.parse(body.expiresAt) - before;
    expect(expiresIn).toBeGreaterThan(14 * 60_000);
    expect(expiresIn).toBeLessThanOrEqual(15 * 60_000 + 1000);

    const bytes = randomBytes(2048);
    expect((await putBytes(body.uploadUrl, bytes, body.uploadHeaders)).status).toBe(200);
    const stored = await h.deps.inputs.head(body.inputKey);
    expect(stored._unsafeUnwrap().size).toBe(2048);
    expect((await getJob(body.jobId)).status).toBe("uploading");
  });

  it("refuses the URL for another key, another content type, and after it expires", async () => {
    const { body } = await requestUpload({ filename: "a.mp4", preset: "mobile", size: 64 });
    const bytes = randomBytes(64);
    const otherKey = body.uploadUrl.replace(`/uploads/${body.jobId}/a.mp4`, `/uploads/${body.jobId}/b.mp4`);
    expect(otherKey).not.toBe(body.uploadUrl);
    expect((await putBytes(otherKey, bytes, body.uploadHeaders)).status).toBe(403);
    expect((await putBytes(body.uploadUrl, bytes, { "content-type": "text/html" })).status).toBe(403);

    // The same app with a clock 20 minutes behind signs URLs that are already past their 15-minute expiry.
    const past = h.variant({}, () => Date.now() - 20 * 60_000);
    const late = (await (
      await past.api("/api/upload", {
        method: "POST",
        json: { filename: "a.mp4", preset: "mobile", size: 64 },
      })
    ).json()) as UploadBody;
    expect((await putBytes(late.uploadUrl, bytes, late.uploadHeaders)).status).toBe(403);
    expect((await putBytes(body.uploadUrl, bytes, body.uploadHeaders)).status).toBe(200);
  });

  it("signs the declared size: a body of another length is refused", async () => {
    const { body } = await requestUpload({ filename: "sized.webm", preset: "default", size: 100 });
    expect(body.uploadHeaders).toEqual({ "content-type": "video/webm", "content-length": "100" });
    const refused = await fetch(body.uploadUrl, {
      method: "PUT",
      headers: { "content-type": "video/webm" },
      body: randomBytes(101),
    });
    expect(refused.status).toBeGreaterThanOrEqual(400);
    expect((await putBytes(body.uploadUrl, randomBytes(100), body.uploadHeaders)).status).toBe(200);
  });

  it("answers a repeated Idempotency-Key with the same job, and another key with a new one", async () => {
    const payload = { filename: "same.mp4", preset: "hls", size: 10 };
    const key = `idem-${nonce()}`;
    const first = await requestUpload(payload, { "idempotency-key": key });
    const again = await requestUpload(payload, { "idempotency-key": key });
    const other = await requestUpload(payload, { "idempotency-key": `${key}-2` });
    expect(first.response.status).toBe(201);
    expect(again.response.status).toBe(200);
    expect(again.body.jobId).toBe(first.body.jobId);
    expect(other.body.jobId).not.toBe(first.body.jobId);
  });

  it("runs a multipart upload: part URLs, then complete assembles the object", async () => {
    const size = 11 * 1024 * 1024;
    const { response, body } = await requestUpload({
      filename: "big.mov",
      preset: "default",
      size,
      multipart: true,
    });
    expect(response.status).toBe(201);
    const multipart = body.multipart as {
      uploadId: string;
      partSize: number;
      parts: { partNumber: number; url: string }[];
      completeUrl: string;
    };
    expect(multipart.partSize).toBe(5 * 1024 * 1024);
    expect(multipart.parts.map((p) => p.partNumber)).toEqual([1, 2, 3]);
    expect(multipart.completeUrl).toBe(`${PUBLIC_URL}/api/upload/${body.jobId}/complete`);
    await uploadParts(h, body, multipart.uploadId, multipart.partSize, multipart.parts, size);
  });

  it("lists the first parts of a many-part upload, signs the rest on request, and part URLs outlive a PUT's", async () => {
    const few = h.variant({ MULTIPART_PARTS_LISTED: "2", MULTIPART_URL_TTL_SECONDS: "86400" });
    const size = 16 * 1024 * 1024;
    const created = await few.api("/api/upload", {
      method: "POST",
      json: { filename: "long.mov", preset: "default", size, multipart: true },
    });
    expect(created.status).toBe(201);
    const body = await created.json();
    const { multipart } = body;
    expect(multipart).toMatchObject({ partSize: 5 * 1024 * 1024, partCount: 4 });
    expect(multipart.parts.map((p: { partNumber: number }) => p.partNumber)).toEqual([1, 2]);
    expect(multipart.partsUrl).toBe(`${PUBLIC_URL}/api/upload/${body.jobId}/parts`);
    // A day, not the single PUT's 15 minutes: the URLs say so, and so does expiresAt.
    expect(new URL(multipart.parts[0].url).searchParams.get("X-Amz-Expires")).toBe("86400");
    expect(Date.parse(body.expiresAt) - Date.now()).toBeGreaterThan(23 * 3600 * 1000);

    const more = await few.api(`/api/upload/${body.jobId}/parts`, {
      method: "POST",
      json: { uploadId: multipart.uploadId, partNumbers: [4, 3, 3] },
    });
    expect(more.status).toBe(200);
    const signed = await more.json();
    expect(signed.parts.map((p: { partNumber: number }) => p.partNumber)).toEqual([3, 4]);

    await uploadParts(
      few,
      body,
      multipart.uploadId,
      multipart.partSize,
      [...multipart.parts, ...signed.parts],
      size,
    );

    // A malformed request is refused with its reason.
    const bad = await few.api(`/api/upload/${body.jobId}/parts`, {
      method: "POST",
      json: { uploadId: multipart.uploadId, partNumbers: [0] },
    });
    expect(bad.status).toBe(400);
  });
});

describe("GET /api/upload/:id/parts", () => {
  it("lists the parts storage holds, so a client can resume by sending only the others", async () => {
    const size = 11 * 1024 * 1024;
    const { body } = await requestUpload({
      filename: "resume.mov",
      preset: "default",
      size,
      multipart: true,
    });
    const { uploadId, parts } = body.multipart as { uploadId: string; parts: { url: string }[] };
    const listed = async () =>
      h.api(`/api/upload/${body.jobId}/parts?uploadId=${encodeURIComponent(uploadId)}`);
    expect(await (await listed()).json()).toEqual({ uploadId, parts: [] });

    const second = randomBytes(5 * 1024 * 1024);
    const put = await putBytes(parts[1]?.url ?? "", second, {});
    expect(put.status).toBe(200);
    const response = await listed();
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      uploadId,
      parts: [{ partNumber: 2, size: second.byteLength, eTag: put.headers.get("etag")?.replaceAll('"', "") }],
    });

    // Refusals: no uploadId, an upload storage does not know, another job's id.
    expect((await h.api(`/api/upload/${body.jobId}/parts`)).status).toBe(400);
    const unknown = await h.api(`/api/upload/${body.jobId}/parts?uploadId=ffffffffffffffffffffffffffffffff`);
    expect(unknown.status).toBe(404);
    expect((await h.api(`/api/upload/nosuchjob123/parts?uploadId=${uploadId}`)).status).toBe(404);
  });
});

describe("GET /api/jobs/:id/record", () => {
  it("409 while the job runs, 404 when it ended without a worker, the stored record once there is one", async () => {
    const { body } = await requestUpload({ filename: "r.mp4", preset: "web-optimized", size: 10 });
    const waiting = await h.api(`/api/jobs/${body.jobId}/record`);
    expect(waiting.status).toBe(409);
    expect((await waiting.json()).message).toMatch(/is uploading; its record is written when it finishes/);

    expect((await h.api(`/api/jobs/${body.jobId}/cancel`, { method: "POST" })).status).toBe(200);
    const none = await h.api(`/api/jobs/${body.jobId}/record`);
    expect(none.status).toBe(404);
    expect((await none.json()).message).toMatch(/has no record/);

    const record = {
      version: 1,
      jobId: body.jobId,
      preset: "web-optimized",
      createdAt: new Date().toISOString(),
      ffmpegVersion: "ffmpeg version 5.1.9",
      input: { formatName: "mov,mp4,m4a,3gp,3g2,mj2", durationSec: 10, sizeBytes: 1000, streams: [] },
      decisions: { videoStream: 0, audioStream: 1, notes: [] },
      runs: [{ tool: "ffprobe", purpose: "probe", argv: ["-v", "error"], wallMs: 20, exitCode: 0 }],
      outputs: [],
      quality: [],
      timings: { downloadMs: 1, transcodeMs: 2, qualityMs: 3, uploadMs: 4 },
    };
    await h.deps.outputs.put(recordKey(body.jobId), JSON.stringify(record), {
      contentType: "application/json",
    });
    const found = await h.api(`/api/jobs/${body.jobId}/record`);
    expect(found.status).toBe(200);
    expect(await found.json()).toEqual(record);

    // A record that is not ours to trust is an internal error, not a 200 with whatever the bucket held.
    await h.deps.outputs.put(recordKey(body.jobId), "{", { contentType: "application/json" });
    expect((await h.api(`/api/jobs/${body.jobId}/record`)).status).toBe(500);
  });
});

describe("from upload to outputs", () => {
  let webhook: Server;
  let received: { body: string; signature: string | undefined }[];
  let failNext: number;

  beforeAll(async () => {
    received = [];
    failNext = 1;
    webhook = createServer((req: IncomingMessage, res) => {
      let body = "";
      req.on("data", (chunk) => (body += chunk));
      req.on("end", () => {
        received.push({ body, signature: req.headers[SIGNATURE_HEADER.toLowerCase()] as string | undefined });
        res.writeHead(failNext-- > 0 ? 500 : 204).end();
      });
    });
    await new Promise<void>((resolve) => webhook.listen(0, "127.0.0.1", resolve));
  });
  afterAll(() => new Promise<void>((resolve) => webhook.close(() => resolve())));

  it("queues on the storage event, spawns a tagged machine, records the callback, serves MP4 and HLS", async () => {
    const webhookUrl = `http://127.0.0.1:${(webhook.address() as AddressInfo).port}/hook`;
    const { body: upload } = await requestUpload({
      filename: "clip.mp4",
      preset: "hls",
      size: 512,
      webhookUrl,
    });
    await putBytes(upload.uploadUrl, randomBytes(512), upload.uploadHeaders);

    const event = JSON.stringify(r2Event(h, upload.inputKey, 512));
    const intake = await h.signed("/internal/events", event);
    expect(intake.status).toBe(200);
    expect(await intake.json()).toEqual({ kind: "enqueued", jobId: upload.jobId });
    // The same event again (a redelivery, signed anew: the same signature would be refused as a replay).
    const duplicate = await h.signed("/internal/events", event, { atMs: Date.now() - 2000 });
    expect(await duplicate.json()).toEqual({ kind: "duplicate", jobId: upload.jobId });
    await h.drain();
    expect((await getJob(upload.jobId)).status).toBe("pending");

    // Admission reserved a slot and created one machine tagged with the reservation id, env per the contract.
    const machines = h.fly.machines().filter((m) => m.state !== "destroyed");
    expect(machines).toHaveLength(1);
    const [machine] = machines;
    if (!machine) throw new Error("no machine");
    const machineId = machine.config.metadata?.tcoder_tag as string;
    expect(machine.config.env).toMatchObject({
      TCODER_MACHINE_ID: machineId,
      INPUT_BUCKET: h.env.INPUT_BUCKET,
      OUTPUT_BUCKET: h.env.OUTPUT_BUCKET,
      REDIS_PREFIX: h.prefix,
      CALLBACK_URL: `${PUBLIC_URL}/internal/callbacks`,
      MACHINE_GUEST: "performance-2x-4096",
    });
    // Credentials are Fly app secrets: none is in the machine's env, which anyone who can read the app can read.
    const secrets = [
      "UPSTASH_REDIS_REST_TOKEN",
      "S3_ACCESS_KEY_ID",
      "S3_SECRET_ACCESS_KEY",
      "CALLBACK_SECRET",
    ];
    expect(Object.keys(machine.config.env ?? {}).filter((name) => secrets.includes(name))).toEqual([]);
    const values = Object.values(machine.config.env ?? {});
    for (const name of secrets) expect(values).not.toContain(h.env[name]);
    expect(machine.config).toMatchObject({ auto_destroy: true, restart: { policy: "no" } });
    expect(await h.redis.zscore(keysOf(h).workerReservations, machineId)).not.toBeNull();

    // The worker: registers, claims, uploads its outputs, reports.
    expect((await h.deps.machines.register(machineId)).isOk()).toBe(true);
    const claim = (await h.deps.jobs.claim(machineId, "lease-1"))._unsafeUnwrap();
    expect(claim.kind).toBe("claimed");
    const prefix = `outputs/${upload.jobId}/hls/`;
    const files = {
      master: {
        key: `${prefix}master.m3u8`,
        text: "#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=800000\n360p/index.m3u8\n",
      },
      variant: {
        key: `${prefix}360p/index.m3u8`,
        text: "#EXTM3U\n#EXTINF:4.0,\nseg_000.ts\n#EXT-X-ENDLIST\n",
      },
    };
    const segment = randomBytes(3000);
    const poster = randomBytes(700);
    await h.deps.outputs.put(files.master.key, files.master.text, {
      contentType: "application/vnd.apple.mpegurl",
    });
    await h.deps.outputs.put(files.variant.key, files.variant.text, {
      contentType: "application/vnd.apple.mpegurl",
    });
    await h.deps.outputs.put(`${prefix}360p/seg_000.ts`, segment, { contentType: "video/mp2t" });
    await h.deps.outputs.put(`${prefix}poster.jpg`, poster, { contentType: "image/jpeg" });
    const outputs = [
      {
        type: "hls-master",
        key: files.master.key,
        contentType: "application/vnd.apple.mpegurl",
        size: files.master.text.length,
      },
      {
        type: "hls-playlist",
        key: files.variant.key,
        quality: "360p",
        contentType: "application/vnd.apple.mpegurl",
        size: files.variant.text.length,
      },
      {
        type: "hls-segment",
        key: `${prefix}360p/seg_000.ts`,
        quality: "360p",
        contentType: "video/mp2t",
        size: 3000,
      },
      { type: "poster", key: `${prefix}poster.jpg`, contentType: "image/jpeg", size: 700 },
    ];
    const report = (extra: Record<string, unknown>) =>
      JSON.stringify({
        jobId: upload.jobId,
        leaseToken: "lease-1",
        machineId,
        sentAt: Date.now(),
        nonce: nonce(),
        ...extra,
      });
    const progress = await h.signed("/internal/callbacks", report({ kind: "progress", percent: 40 }));
    expect(await progress.json()).toMatchObject({ status: "running", progress: 40, applied: true });
    const done = report({ kind: "completed", outputs, costUsd: 0.0123, machineSeconds: 9.5 });
    const completed = await h.signed("/internal/callbacks", done);
    expect(await completed.json()).toMatchObject({ status: "completed", applied: true });
    // A repeat of the same report (a new message: new nonce) is success, not applied again.
    const repeat = await h.signed(
      "/internal/callbacks",
      report({ kind: "completed", outputs, costUsd: 0.0123, machineSeconds: 9.5 }),
    );
    expect(await repeat.json()).toMatchObject({ status: "completed", applied: false });
    await h.drain();

    const job = await getJob(upload.jobId);
    expect(job).toMatchObject({
      status: "completed",
      progress: 100,
      attempts: 1,
      cost: { usd: 0.0123, machineSeconds: 9.5 },
    });
    const byType = Object.fromEntries(job.outputs.map((o: { type: string }) => [o.type, o]));
    expect(await (await fetch(byType.poster.url)).arrayBuffer()).toEqual(
      poster.buffer.slice(poster.byteOffset, poster.byteOffset + poster.length),
    );

    // HLS: the master through the control plane; its relative variant URI resolves to another media URL.
    const masterUrl = byType["hls-master"].url as string;
    expect(masterUrl).toMatch(
      new RegExp(`^${PUBLIC_URL}/media/\\d+\\.[A-Za-z0-9_-]{43}/${upload.jobId}/master\\.m3u8$`),
    );
    const master = await h.request(masterUrl);
    expect(master.status).toBe(200);
    expect(await master.text()).toBe(files.master.text);
    const variantUrl = new URL("360p/index.m3u8", masterUrl).toString();
    expect(await (await h.request(variantUrl)).text()).toBe(files.variant.text);
    const segmentRedirect = await h.request(new URL("seg_000.ts", variantUrl).toString());
    expect(segmentRedirect.status).toBe(302);
    const segmentBytes = new Uint8Array(
      await (await fetch(segmentRedirect.headers.get("location") as string)).arrayBuffer(),
    );
    expect(Buffer.from(segmentBytes).equals(segment)).toBe(true);
    // A tampered token, and a path the job did not record, are refused.
    const tampered = masterUrl.replace(
      /\/media\/(\d+)\.(.)/,
      (_, expiry: string, c: string) => `/media/${expiry}.${c === "A" ? "B" : "A"}`,
    );
    expect(tampered).not.toBe(masterUrl);
    expect((await h.request(tampered)).status).toBe(404);
    // Media tokens have a secret of their own: one signed with the callback secret is refused.
    const forged = await mediaTokens(CALLBACK_SECRET).issue(upload.jobId, Date.now(), 3600);
    expect((await h.request(masterUrl.replace(/\/media\/[^/]+\//, `/media/${forged}/`))).status).toBe(404);
    expect((await h.request(new URL("../../uploads/x", variantUrl).toString())).status).toBe(404);

    // The webhook: one event, signed, delivered after one failed attempt (retried), never sent twice.
    expect(received).toHaveLength(2);
    const delivered = received[1];
    if (!delivered) throw new Error("no delivery");
    expect(
      (
        await verifyBody(delivered.signature, delivered.body, {
          secrets: [WEBHOOK_SECRET],
          nowMs: Date.now(),
          toleranceSeconds: 300,
        })
      ).isOk(),
    ).toBe(true);
    expect(JSON.parse(delivered.body)).toMatchObject({
      type: "job.completed",
      data: { jobId: upload.jobId, status: "completed" },
    });
  });
});

describe("cancel, stats, limits", () => {
  it("cancels an unfinished job once; a second cancel is a 409 conflict", async () => {
    const { body } = await requestUpload({ filename: "c.mp4", preset: "mobile", size: 10 });
    const first = await h.api(`/api/jobs/${body.jobId}/cancel`, {
      method: "POST",
      json: { reason: "changed my mind" },
    });
    expect(first.status).toBe(200);
    expect(await first.json()).toMatchObject({ status: "cancelled", cancelReason: "changed my mind" });
    const second = await h.api(`/api/jobs/${body.jobId}/cancel`, { method: "POST" });
    expect(second.status).toBe(409);
    expect(await second.json()).toMatchObject({ code: "already-terminal" });
  });

  it("reports machines, queue and spend", async () => {
    const response = await h.api("/api/stats");
    expect(response.status).toBe(200);
    const stats = await response.json();
    const pending = await h.redis.zcard(keysOf(h).jobsPending);
    expect(stats).toMatchObject({ machines: { max: 5 }, jobs: { pending }, spend: { budgetUsd: 50 } });
  });

  it("refuses new work with 402 once the budget is spent, and 429 with Retry-After when the backlog is full", async () => {
    const broke = h.variant({ MONTHLY_BUDGET_USD: "0" });
    const refused = await broke.api("/api/upload", {
      method: "POST",
      json: { filename: "a.mp4", preset: "hls", size: 10 },
    });
    expect(refused.status).toBe(402);
    expect((await refused.json()).code).toBe("budget-exhausted");

    const pending = await h.redis.zcard(keysOf(h).jobsPending);
    const full = h.variant({ MAX_PENDING_JOBS: String(Math.max(1, pending)) });
    if (pending === 0) await h.redis.zadd(keysOf(h).jobsPending, Date.now(), "job_placeholder_for_429");
    const busy = await full.api("/api/upload", {
      method: "POST",
      json: { filename: "a.mp4", preset: "hls", size: 10 },
    });
    expect(busy.status).toBe(429);
    expect(busy.headers.get("retry-after")).toBe("30");
    expect((await busy.json()).code).toBe("rate-limited");
  });

  it("publishes an OpenAPI document generated from the request schemas", async () => {
    const response = await h.request("/api/openapi.json");
    expect(response.status).toBe(200);
    const doc = await response.json();
    expect(doc.openapi).toBe("3.1.0");
    const upload = doc.components.schemas.UploadRequest;
    expect(upload.required).toEqual(["filename", "preset", "size"]);
    expect(upload.properties.preset.enum).toEqual([...PRESET_NAMES]);
    expect(upload.additionalProperties).toBe(false);
    expect(doc.components.schemas.Job.properties.status.enum).toContain("completed");
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining([
        "/api/upload",
        "/api/jobs",
        "/api/jobs/{id}",
        "/api/jobs/{id}/cancel",
        "/api/stats",
      ]),
    );
    expect(API_KEY.length).toBeGreaterThan(16);
  });

  it("describes exactly the public routes the app serves (no route without a description, or the reverse)", async () => {
    const doc = await (await h.request("/api/openapi.json")).json();
    const described = Object.entries(doc.paths as Record<string, Record<string, unknown>>)
      .flatMap(([path, methods]) => Object.keys(methods).map((method) => `${method.toUpperCase()} ${path}`))
      .sort();
    // Hono's path syntax in OpenAPI's: ":id" → "{id}", the media route's trailing "*" → "{path}". The dashboard's
    // page and its files (`/`, `/app/:file`) are a web page, not the API.
    const page = new Set(["/", "/app/:file"]);
    const served = createApp(h.deps)
      .routes.filter(
        (route) => route.method !== "ALL" && !route.path.startsWith("/internal/") && !page.has(route.path),
      )
      .map(({ method, path }) => `${method} ${path.replace(/:(\w+)/g, "{$1}").replace(/\*$/, "{path}")}`);
    expect([...new Set(served)].sort()).toEqual(described);
  });
});
