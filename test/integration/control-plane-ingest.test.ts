// POST /api/jobs: the control plane streams a URL into the input bucket (size cap, deadline, redirects checked)
// and only then creates the job, already pending.
import { randomBytes } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Harness, nonce, startHarness } from "./control-plane-harness.ts";

let h: Harness;
let source: Server;
let base: string;
const hits: string[] = [];
const clip = randomBytes(40_000);

beforeAll(async () => {
  h = await startHarness("cp-ingest");
  source = createServer((req, res) => {
    hits.push(req.url ?? "");
    switch (req.url) {
      case "/media/clip.mp4":
        res.writeHead(200, { "content-type": "video/mp4", "content-length": String(clip.length) }).end(clip);
        return;
      case "/chunked/stream.webm":
        res.writeHead(200, { "content-type": "video/webm" });
        res.write(clip.subarray(0, 20_000));
        res.end(clip.subarray(20_000));
        return;
      case "/go":
        res.writeHead(302, { location: "/media/clip.mp4" }).end();
        return;
      case "/slow.mp4":
        res.writeHead(200, { "content-type": "video/mp4" });
        res.write(clip.subarray(0, 10));
        return; // never ends
      default:
        res.writeHead(404).end("nope");
    }
  });
  await new Promise<void>((resolve) => source.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(source.address() as AddressInfo).port}`;
});
afterAll(async () => {
  source.closeAllConnections();
  await new Promise<void>((resolve) => source.close(() => resolve()));
  await h?.close();
});

const ingest = (harness: Harness, inputUrl: string, headers: Record<string, string> = {}) =>
  harness.api("/api/jobs", { method: "POST", json: { inputUrl, preset: "default" }, headers });

const stored = async (jobId: string, name: string) => {
  const object = (await h.deps.inputs.getStream(`uploads/${jobId}/${name}`))._unsafeUnwrap();
  return Buffer.from(await new Response(object.body).arrayBuffer());
};

describe("URL ingest", () => {
  it("stores the source under the job's input key and creates the job pending, then spawns", async () => {
    const response = await ingest(h, `${base}/media/clip.mp4`);
    expect(response.status).toBe(201);
    const job = await response.json();
    expect(job).toMatchObject({ status: "pending", source: "url", preset: "default" });
    expect((await stored(job.jobId, "clip.mp4")).equals(clip)).toBe(true);
    await h.drain();
    expect(h.fly.machines().filter((m) => m.state !== "destroyed")).toHaveLength(1);
  });

  it("streams a source of unknown length (multipart) and follows a redirect", async () => {
    const chunked = await (await ingest(h, `${base}/chunked/stream.webm`)).json();
    expect((await stored(chunked.jobId, "stream.webm")).equals(clip)).toBe(true);
    const redirected = await ingest(h, `${base}/go`);
    expect(redirected.status).toBe(201);
    expect((await stored((await redirected.json()).jobId, "clip.mp4")).equals(clip)).toBe(true);
  });

  it("fetches once per Idempotency-Key", async () => {
    const key = `ingest-${nonce()}`;
    const before = hits.length;
    const first = await ingest(h, `${base}/media/clip.mp4`, { "idempotency-key": key });
    const again = await ingest(h, `${base}/media/clip.mp4`, { "idempotency-key": key });
    expect([first.status, again.status]).toEqual([201, 200]);
    expect((await again.json()).jobId).toBe((await first.json()).jobId);
    expect(hits.length - before).toBe(1);
  });

  it("answers 422 for a source that fails, 413 past the size cap, 422 past the deadline", async () => {
    const missing = await ingest(h, `${base}/missing.mp4`);
    expect(missing.status).toBe(422);
    expect(await missing.json()).toMatchObject({
      code: "ingest-failed",
      message: expect.stringContaining("404"),
    });

    const capped = h.variant({ INGEST_MAX_BYTES: "1000" });
    const declared = await ingest(capped, `${base}/media/clip.mp4`);
    expect(declared.status).toBe(413);
    const streamed = await ingest(capped, `${base}/chunked/stream.webm`);
    expect(streamed.status).toBe(413);
    expect((await streamed.json()).code).toBe("payload-too-large");

    const hurried = h.variant({ INGEST_TIMEOUT_MS: "300" });
    const slow = await ingest(hurried, `${base}/slow.mp4`);
    expect(slow.status).toBe(422);
    expect((await slow.json()).code).toBe("ingest-failed");
  });

  it("refuses loopback sources unless private URLs are allowed (local development)", async () => {
    const strict = h.variant({ ALLOW_PRIVATE_URLS: "false" });
    const before = hits.length;
    const refused = await ingest(strict, `${base}/media/clip.mp4`);
    expect(refused.status).toBe(400);
    expect((await refused.json()).code).toBe("url-not-allowed");
    expect(hits.length).toBe(before);
  });
});
