// The S3 object store when the network misbehaves: a closed port, a server that never answers or stalls, 5xx/429.
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { findFreePort, LOOPBACK } from "../../shell/dev/local-services/free-port.ts";
import type { ObjectStore } from "../../shell/storage/object-store.ts";
import { createS3ObjectStore } from "../../shell/storage/s3-object-store.ts";
import type { FetchFn } from "../../shell/storage/s3-transport.ts";

// A hang must fail the test rather than stall the run; no assertion is about time.
const HANG_GUARD_MS = 15_000;

interface FakeServer {
  readonly endpoint: string;
  readonly requests: string[];
  close(): Promise<void>;
}

const running: FakeServer[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((server) => server.close()));
});

/** A local HTTP server standing in for a broken S3 endpoint; `handler` gets the 1-based request number. */
async function fakeServer(
  handler: (req: IncomingMessage, res: ServerResponse, n: number) => void,
): Promise<FakeServer> {
  const requests: string[] = [];
  const server = createServer((req, res) => {
    requests.push(`${req.method} ${req.url}`);
    req.resume();
    handler(req, res, requests.length);
  });
  await new Promise<void>((resolve) => server.listen(0, LOOPBACK, resolve));
  const { port } = server.address() as AddressInfo;
  const fake = {
    endpoint: `http://${LOOPBACK}:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  running.push(fake);
  return fake;
}

function storeAt(endpoint: string, opts: { retries?: number; timeoutMs?: number } = {}) {
  const attempts: string[] = [];
  const counting: FetchFn = (url, init) => {
    attempts.push(`${init.method} ${url}`);
    return fetch(url, init);
  };
  const store: ObjectStore = createS3ObjectStore(
    {
      endpoint,
      bucket: "media",
      accessKeyId: "AKIDEXAMPLE",
      secretAccessKey: "not-a-real-secret",
      timeoutMs: opts.timeoutMs ?? 5_000,
      retry: { retries: opts.retries ?? 2, minTimeoutMs: 5, maxTimeoutMs: 20 },
    },
    { now: () => Date.now(), fetch: counting },
  );
  return { store, attempts };
}

const s3Error = (code: string) =>
  `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>try later</Message></Error>`;

describe("a server that is down", () => {
  it("makes an idempotent request unavailable after its retries", { timeout: HANG_GUARD_MS }, async () => {
    const { store, attempts } = storeAt(`http://${LOOPBACK}:${await findFreePort()}`, { retries: 2 });
    const result = await store.head("a/b.mp4");
    expect(result._unsafeUnwrapErr()).toMatchObject({ kind: "unavailable", ambiguous: false });
    expect(attempts).toHaveLength(3);
  });

  it("does not repeat a request that is not idempotent, and says it may have happened", async () => {
    const { store, attempts } = storeAt(`http://${LOOPBACK}:${await findFreePort()}`, { retries: 2 });
    const result = await store.createMultipart("a/b.mp4", "video/mp4");
    expect(result._unsafeUnwrapErr()).toMatchObject({ kind: "unavailable", ambiguous: true });
    expect(attempts).toHaveLength(1);
  });
});

describe("a server that does not answer", () => {
  it("times each attempt out and reports unavailable, not a hang", { timeout: HANG_GUARD_MS }, async () => {
    const server = await fakeServer(() => {}); // never responds
    const { store } = storeAt(server.endpoint, { retries: 1, timeoutMs: 200 });
    const result = await store.head("a/b.mp4");
    expect(result._unsafeUnwrapErr()).toMatchObject({
      kind: "unavailable",
      message: expect.stringContaining("timed out"),
    });
    expect(server.requests).toEqual(["HEAD /media/a/b.mp4", "HEAD /media/a/b.mp4"]);
  });

  it("times out a streaming PUT whose reply never comes, and does not repeat it", {
    timeout: HANG_GUARD_MS,
  }, async () => {
    const server = await fakeServer(() => {}); // reads the body, never answers
    const { store } = storeAt(server.endpoint, { retries: 2, timeoutMs: 200 });
    const body = new Blob([new Uint8Array(4096)]).stream();
    const result = await store.put("k.bin", body, { contentType: "video/mp4", contentLength: 4096 });
    expect(result._unsafeUnwrapErr()).toMatchObject({
      kind: "unavailable",
      message: expect.stringContaining("timed out"),
    });
    expect(server.requests).toEqual(["PUT /media/k.bin"]);
  });

  it("errors a download whose body stalls after the headers", { timeout: HANG_GUARD_MS }, async () => {
    const server = await fakeServer((_req, res) => {
      res.writeHead(200, { "content-length": "1000", etag: '"abc"', "content-type": "video/mp4" });
      res.write(Buffer.alloc(10, 7)); // then nothing more
    });
    const { store } = storeAt(server.endpoint, { timeoutMs: 200 });
    const opened = await store.getStream("a/b.mp4");
    expect(opened.isOk()).toBe(true);
    const { body, size } = opened._unsafeUnwrap();
    expect(size).toBe(1000);
    const reader = body.getReader();
    const first = await reader.read();
    expect(first.value?.byteLength).toBe(10);
    await expect(reader.read()).rejects.toMatchObject({ name: "TimeoutError" });
  });
});

describe("5xx and 429 replies", () => {
  it("retries a HEAD through 503s and succeeds when the server recovers", async () => {
    const server = await fakeServer((_req, res, n) => {
      if (n <= 2) {
        res
          .writeHead(503, { "retry-after": "0", "content-type": "application/xml" })
          .end(s3Error("SlowDown"));
      } else {
        res.writeHead(200, { "content-length": "42", etag: '"e1"', "content-type": "video/mp4" }).end();
      }
    });
    const { store } = storeAt(server.endpoint, { retries: 3 });
    expect((await store.head("x.mp4"))._unsafeUnwrap()).toEqual({
      size: 42,
      eTag: "e1",
      contentType: "video/mp4",
    });
    expect(server.requests).toHaveLength(3);
  });

  it("gives up after the retries when the server keeps failing", async () => {
    const server = await fakeServer((_req, res) => {
      res.writeHead(500, { "content-type": "application/xml" }).end(s3Error("InternalError"));
    });
    const { store } = storeAt(server.endpoint, { retries: 2 });
    const result = await store.list("p/");
    expect(result._unsafeUnwrapErr()).toMatchObject({
      kind: "unavailable",
      message: expect.stringContaining("InternalError"),
    });
    expect(server.requests).toHaveLength(3);
  });

  it("repeats a create-multipart refused with 429 (not processed), but not one that failed with 500", async () => {
    const initiated =
      "<InitiateMultipartUploadResult><Bucket>media</Bucket><Key>k</Key><UploadId>u-1</UploadId></InitiateMultipartUploadResult>";
    const throttled = await fakeServer((_req, res, n) => {
      if (n === 1) res.writeHead(429, { "content-type": "application/xml" }).end(s3Error("SlowDown"));
      else res.writeHead(200, { "content-type": "application/xml" }).end(initiated);
    });
    expect(
      (await storeAt(throttled.endpoint).store.createMultipart("k", "video/mp4"))._unsafeUnwrap(),
    ).toEqual({
      uploadId: "u-1",
    });
    expect(throttled.requests).toEqual(["POST /media/k?uploads=", "POST /media/k?uploads="]);

    const broken = await fakeServer((_req, res) => {
      res.writeHead(500, { "content-type": "application/xml" }).end(s3Error("InternalError"));
    });
    const result = await storeAt(broken.endpoint).store.createMultipart("k", "video/mp4");
    expect(result._unsafeUnwrapErr()).toMatchObject({ kind: "unavailable", ambiguous: true });
    expect(broken.requests).toHaveLength(1);
  });

  it("sends a streaming PUT once: a consumed stream cannot be replayed", async () => {
    const server = await fakeServer((_req, res) => {
      res.writeHead(503, { "content-type": "application/xml" }).end(s3Error("SlowDown"));
    });
    const { store } = storeAt(server.endpoint, { retries: 3 });
    const body = new Blob([new Uint8Array(2048)]).stream();
    const result = await store.put("k.bin", body, { contentType: "video/mp4", contentLength: 2048 });
    expect(result._unsafeUnwrapErr()).toMatchObject({ kind: "unavailable", ambiguous: false });
    expect(server.requests).toHaveLength(1);
  });
});

describe("replies that are not to be trusted", () => {
  it("refuses a PUT reply without an ETag, and a listing that is not XML", async () => {
    const server = await fakeServer((req, res) => {
      if (req.method === "PUT") res.writeHead(200).end();
      else res.writeHead(200, { "content-type": "application/xml" }).end("<html>proxy login</html>");
    });
    const { store } = storeAt(server.endpoint);
    expect((await store.put("k.txt", "x", { contentType: "text/plain" }))._unsafeUnwrapErr().kind).toBe(
      "invalid-response",
    );
    expect((await store.list(""))._unsafeUnwrapErr().kind).toBe("invalid-response");
  });

  it("refuses a HEAD reply without a usable Content-Length", async () => {
    const server = await fakeServer((_req, res) => {
      res.writeHead(200, { etag: '"e1"', "transfer-encoding": "chunked" }).end();
    });
    const { store } = storeAt(server.endpoint);
    const result = await store.head("k.txt");
    expect(result._unsafeUnwrapErr()).toMatchObject({
      kind: "invalid-response",
      message: expect.stringContaining("Content-Length"),
    });
  });
});
