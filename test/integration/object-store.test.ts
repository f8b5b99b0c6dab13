// The S3 object store against a real SigV4-checking S3 server (@20minutes/s3rver, or MinIO in containers).
import { createHash, randomBytes, randomUUID } from "node:crypto";
import type { ResultAsync } from "neverthrow";
import { describe, expect, inject, it } from "vitest";
import type { ObjectStore } from "../../shell/storage/object-store.ts";
import { createS3ObjectStore, type S3StoreDeps } from "../../shell/storage/s3-object-store.ts";
import type { S3StoreConfigInput } from "../../shell/storage/s3-store-config.ts";
import type { FetchFn } from "../../shell/storage/s3-transport.ts";
import { createTestBucket, randomS3Credentials } from "../services/test-namespace.ts";

const MiB = 1024 * 1024;
const s3 = inject("s3");

async function freshStore(
  label: string,
  overrides: Partial<S3StoreConfigInput> = {},
  deps: Partial<S3StoreDeps> = {},
): Promise<ObjectStore> {
  const bucket = await createTestBucket(s3, label);
  return createS3ObjectStore(
    {
      endpoint: s3.endpoint,
      bucket,
      accessKeyId: s3.accessKeyId,
      secretAccessKey: s3.secretAccessKey,
      ...overrides,
    },
    { now: () => Date.now(), ...deps },
  );
}

const sha256 = (bytes: Uint8Array): string => createHash("sha256").update(bytes).digest("hex");
const md5 = (bytes: Uint8Array | string): string => createHash("md5").update(bytes).digest("hex");

const statusOf = async (response: Promise<Response>): Promise<number> => {
  const res = await response;
  await res.arrayBuffer();
  return res.status;
};

/** Unwraps a Result, failing the test with the error value when it is an Err. */
const value = async <T, E>(result: ResultAsync<T, E>): Promise<T> => {
  const settled = await result;
  if (settled.isErr()) expect.fail(`expected Ok, got ${JSON.stringify(settled.error)}`);
  return settled.value;
};

/** Pseudo-random bytes made on demand, `chunkBytes` per pull, hashed as they are produced. */
function generatedStream(
  totalBytes: number,
  chunkBytes: number,
  onPull: (producedSoFar: number) => void = () => {},
) {
  const hash = createHash("sha256");
  let produced = 0;
  const stream = new ReadableStream<Uint8Array>(
    {
      pull(controller) {
        onPull(produced);
        if (produced >= totalBytes) {
          controller.close();
          return;
        }
        const chunk = new Uint8Array(randomBytes(Math.min(chunkBytes, totalBytes - produced)));
        produced += chunk.byteLength;
        hash.update(chunk);
        controller.enqueue(chunk);
      },
    },
    { highWaterMark: 0 },
  );
  return { stream, digest: () => hash.digest("hex") };
}

async function readAll(body: ReadableStream<Uint8Array>): Promise<{ bytes: Buffer; chunks: number[] }> {
  const reader = body.getReader();
  const parts: Uint8Array[] = [];
  for (;;) {
    const { done, value: chunk } = await reader.read();
    if (done) break;
    parts.push(chunk);
  }
  return { bytes: Buffer.concat(parts), chunks: parts.map((part) => part.byteLength) };
}

describe("presigned URLs used with plain fetch", () => {
  it("uploads with a presigned PUT and downloads with a presigned GET", async () => {
    const fixedNow = Date.now();
    const store = await freshStore("presign-roundtrip", {}, { now: () => fixedNow });
    const key = `uploads/${randomUUID()}/clip (1).mp4`;
    const body = randomBytes(4096);

    const put = await value(store.presignPut(key, { contentType: "video/mp4", expiresInSeconds: 900 }));
    expect(put.method).toBe("PUT");
    expect(put.headers).toEqual({ "content-type": "video/mp4" });
    expect(put.expiresAt).toBe(Math.floor(fixedNow / 1000) * 1000 + 900_000);
    expect(new URL(put.url).searchParams.get("X-Amz-SignedHeaders")).toBe("content-type;host");
    const uploaded = await fetch(put.url, { method: "PUT", headers: put.headers, body });
    expect(uploaded.status).toBe(200);
    await uploaded.arrayBuffer();

    const get = await value(
      store.presignGet(key, {
        expiresInSeconds: 60,
        responseContentDisposition: 'attachment; filename="a b.mp4"',
      }),
    );
    const downloaded = await fetch(get.url);
    expect(downloaded.status).toBe(200);
    expect(downloaded.headers.get("content-type")).toBe("video/mp4");
    expect(downloaded.headers.get("content-disposition")).toBe('attachment; filename="a b.mp4"');
    expect(Buffer.from(await downloaded.arrayBuffer()).equals(body)).toBe(true);
  });

  it("signs the same URL for the same clock, and a different one a second later", async () => {
    let clock = Date.now();
    const store = await freshStore("presign-clock", {}, { now: () => clock });
    const first = await value(store.presignGet("a/b.txt", { expiresInSeconds: 60 }));
    const again = await value(store.presignGet("a/b.txt", { expiresInSeconds: 60 }));
    clock += 1000;
    const later = await value(store.presignGet("a/b.txt", { expiresInSeconds: 60 }));
    expect(again.url).toBe(first.url);
    expect(later.url).not.toBe(first.url);
  });
});

describe("objects", () => {
  it("HEAD reports size, content type and the ETag without quotes; a missing key is not-found", async () => {
    const store = await freshStore("head");
    const put = await value(store.put("notes/hello.txt", "hello", { contentType: "text/plain" }));
    expect(put).toEqual({ eTag: md5("hello"), size: 5 });
    expect(await value(store.head("notes/hello.txt"))).toEqual({
      size: 5,
      contentType: "text/plain",
      eTag: md5("hello"),
    });
    const missing = await store.head("notes/absent.txt");
    expect(missing._unsafeUnwrapErr().kind).toBe("not-found");
    const missingStream = await store.getStream("notes/absent.txt");
    expect(missingStream._unsafeUnwrapErr().kind).toBe("not-found");
  });

  it("streams a multi-MB object in chunks, not as one buffer", async () => {
    const store = await freshStore("stream-get");
    const body = new Uint8Array(randomBytes(6 * MiB));
    await value(store.put("big/blob.bin", body, { contentType: "application/octet-stream" }));
    const got = await value(store.getStream("big/blob.bin"));
    expect(got.size).toBe(body.byteLength);
    const { bytes, chunks } = await readAll(got.body);
    expect(chunks.length).toBeGreaterThan(1);
    expect(Math.max(...chunks)).toBeLessThan(body.byteLength);
    expect(sha256(bytes)).toBe(sha256(body));
  });

  it("lets a slow reader pause longer than the timeout: the clock runs only while it waits on the store", async () => {
    const store = await freshStore("slow-reader", { timeoutMs: 150 });
    const body = new Uint8Array(randomBytes(3 * MiB));
    await value(store.put("big/slow.bin", body, { contentType: "application/octet-stream" }));
    const got = await value(store.getStream("big/slow.bin"));
    const reader = got.body.getReader();
    const first = await reader.read();
    await new Promise((resolve) => setTimeout(resolve, 600));
    const rest = await readAll(
      new ReadableStream({
        pull: async (c) => {
          const next = await reader.read();
          if (next.done) c.close();
          else c.enqueue(next.value);
        },
      }),
    );
    expect(sha256(Buffer.concat([first.value ?? new Uint8Array(0), rest.bytes]))).toBe(sha256(body));
  });

  it("puts a stream of declared length, and reports a stream that falls short as source-failed", async () => {
    const store = await freshStore("stream-put");
    const source = generatedStream(300_000, 64 * 1024);
    const put = await value(
      store.put("s/ok.bin", source.stream, { contentType: "video/mp4", contentLength: 300_000 }),
    );
    expect(put.size).toBe(300_000);
    const stored = await value(store.getStream("s/ok.bin"));
    expect(sha256((await readAll(stored.body)).bytes)).toBe(source.digest());

    const short = generatedStream(1000, 512);
    const refused = await store.put("s/short.bin", short.stream, {
      contentType: "video/mp4",
      contentLength: 2000,
    });
    expect(refused._unsafeUnwrapErr()).toMatchObject({
      kind: "source-failed",
      message: expect.stringContaining("1000 of 2000 bytes"),
    });
    // Whether anything is stored then is the server's call: S3 and R2 refuse a short body, s3rver keeps it.
  });

  it("deletes an object, and deleting it again succeeds", async () => {
    const store = await freshStore("delete");
    await value(store.put("d/x.txt", "x", { contentType: "text/plain" }));
    await value(store.put("d/y.txt", "y", { contentType: "text/plain" }));
    await value(store.delete("d/x.txt"));
    expect((await store.head("d/x.txt"))._unsafeUnwrapErr().kind).toBe("not-found");
    expect((await value(store.head("d/y.txt"))).size).toBe(1);
    expect((await store.delete("d/x.txt")).isOk()).toBe(true);
  });

  it("lists a prefix page by page", async () => {
    const store = await freshStore("list");
    const keys = ["p/a.txt", "p/b.txt", "p/c/d.txt", "p/e.txt", "p/f.txt"];
    for (const [i, key] of keys.entries())
      await value(store.put(key, "x".repeat(i + 1), { contentType: "text/plain" }));
    await value(store.put("q/outside.txt", "nope", { contentType: "text/plain" }));

    const pages: { keys: string[]; next: string | null }[] = [];
    let cursor: string | undefined;
    do {
      const page = await value(store.list("p/", { pageSize: 2, ...(cursor ? { cursor } : {}) }));
      pages.push({ keys: page.objects.map((o) => o.key), next: page.nextCursor });
      cursor = page.nextCursor ?? undefined;
    } while (cursor !== undefined && pages.length < 10);

    expect(pages.map((p) => p.keys.length)).toEqual([2, 2, 1]);
    expect(pages.map((p) => p.next === null)).toEqual([false, false, true]);
    expect(pages.flatMap((p) => p.keys)).toEqual([...keys].sort());
    const all = await value(store.list("p/"));
    expect(all.objects.find((o) => o.key === "p/c/d.txt")).toEqual({
      key: "p/c/d.txt",
      size: 3,
      eTag: md5("xxx"),
    });
  });
});

describe("multipart uploads", () => {
  it("putLarge streams ~12 MiB made on the fly in 5 MiB parts, one part in memory at a time", async () => {
    const partSize = 5 * MiB;
    const chunk = 256 * 1024;
    const total = 12 * MiB + 12_345;
    let acknowledged = 0;
    let worstBacklog = 0;
    const observing: FetchFn = async (url, init) => {
      const response = await fetch(url, init);
      if (
        response.ok &&
        init.method === "PUT" &&
        url.includes("partNumber=") &&
        init.body instanceof Uint8Array
      ) {
        acknowledged += init.body.byteLength;
      }
      return response;
    };
    const store = await freshStore("put-large", {}, { fetch: observing });
    const source = generatedStream(total, chunk, (produced) => {
      worstBacklog = Math.max(worstBacklog, produced - acknowledged);
    });

    const result = await value(
      store.putLarge("out/large.mp4", source.stream, { contentType: "video/mp4", partSizeBytes: partSize }),
    );
    expect(result).toMatchObject({ size: total, parts: 3 });
    expect(acknowledged).toBe(total);
    // Never more than the part being filled plus the chunk that overflowed it was read ahead of the store.
    expect(worstBacklog).toBeLessThanOrEqual(partSize + chunk);
    const head = await value(store.head("out/large.mp4"));
    expect(head).toMatchObject({ size: total, contentType: "video/mp4", eTag: result.eTag });
    const stored = await value(store.getStream("out/large.mp4"));
    expect(sha256((await readAll(stored.body)).bytes)).toBe(source.digest());
  });

  it("putLarge sends a stream shorter than one part as a single PUT", async () => {
    const store = await freshStore("put-large-small");
    const source = generatedStream(70_000, 8192);
    const result = await value(
      store.putLarge("out/small.bin", source.stream, { contentType: "image/jpeg", partSizeBytes: 5 * MiB }),
    );
    expect(result).toMatchObject({ size: 70_000, parts: 0 });
    const stored = await value(store.getStream("out/small.bin"));
    expect(stored.contentType).toBe("image/jpeg");
    expect(sha256((await readAll(stored.body)).bytes)).toBe(source.digest());
  });

  it("putLarge reports a failing source and leaves no object behind", async () => {
    const store = await freshStore("put-large-fail");
    let sent = 0;
    const failing = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent >= 7 * MiB) {
          controller.error(new Error("disk went away"));
          return;
        }
        sent += MiB;
        controller.enqueue(new Uint8Array(MiB));
      },
    });
    const result = await store.putLarge("out/broken.bin", failing, {
      contentType: "video/mp4",
      partSizeBytes: 5 * MiB,
    });
    const error = result._unsafeUnwrapErr();
    expect(error.kind).toBe("source-failed");
    expect(error.kind === "source-failed" && error.message).toContain("disk went away");
    expect((await store.head("out/broken.bin"))._unsafeUnwrapErr().kind).toBe("not-found");
    expect(() => store.putLarge("out/x", failing, { contentType: "video/mp4", partSizeBytes: MiB })).toThrow(
      RangeError,
    );
  });

  it("completes a client-side upload made through presigned part URLs", async () => {
    const store = await freshStore("client-multipart");
    const key = `uploads/${randomUUID()}/movie.mov`;
    const parts = [new Uint8Array(randomBytes(5 * MiB)), new Uint8Array(randomBytes(1234))];
    const { uploadId } = await value(store.createMultipart(key, "video/quicktime"));

    const eTags: string[] = [];
    for (const [index, bytes] of parts.entries()) {
      const signed = await value(store.presignUploadPart(key, uploadId, index + 1, 600));
      expect(signed.headers).toEqual({});
      const response = await fetch(signed.url, { method: "PUT", body: bytes });
      expect(response.status).toBe(200);
      await response.arrayBuffer();
      eTags.push(response.headers.get("etag") ?? "");
    }
    expect(eTags).toEqual(parts.map((bytes) => `"${md5(bytes)}"`));

    const outOfOrder = await store.completeMultipart(key, uploadId, [
      { partNumber: 2, eTag: eTags[1] ?? "" },
      { partNumber: 1, eTag: eTags[0] ?? "" },
    ]);
    expect(outOfOrder._unsafeUnwrapErr()).toMatchObject({ kind: "rejected", status: null });

    const done = await value(
      store.completeMultipart(
        key,
        uploadId,
        eTags.map((eTag, index) => ({ partNumber: index + 1, eTag })),
      ),
    );
    expect(done.eTag).not.toBe("");
    const head = await value(store.head(key));
    expect(head).toEqual({ size: 5 * MiB + 1234, contentType: "video/quicktime", eTag: done.eTag });
    const stored = await value(store.getStream(key));
    expect(sha256((await readAll(stored.body)).bytes)).toBe(sha256(Buffer.concat(parts)));
  });
});

describe("multipart uploads held to their terms", () => {
  it("signs a part's size into its URL: a part of another length is refused by storage", async () => {
    const store = await freshStore("part-sizes");
    const key = `uploads/${randomUUID()}/sized.mov`;
    const { uploadId } = await value(store.createMultipart(key, "video/quicktime"));
    const signed = await value(store.presignUploadPart(key, uploadId, 1, 600, 1000));
    expect(signed.headers).toEqual({ "content-length": "1000" });
    expect(await statusOf(fetch(signed.url, { method: "PUT", body: randomBytes(1001) }))).toBe(403);
    expect(await statusOf(fetch(signed.url, { method: "PUT", body: randomBytes(999) }))).toBe(403);
    expect(await statusOf(fetch(signed.url, { method: "PUT", body: randomBytes(1000) }))).toBe(200);
  });

  it("aborts an upload: its parts and its completion are refused afterwards, and a second abort finds nothing", async () => {
    const store = await freshStore("abort");
    const key = `uploads/${randomUUID()}/dropped.mov`;
    const { uploadId } = await value(store.createMultipart(key, "video/quicktime"));
    const part = await value(store.presignUploadPart(key, uploadId, 1, 600));
    const put = await fetch(part.url, { method: "PUT", body: randomBytes(2048) });
    expect(put.status).toBe(200);
    const eTag = put.headers.get("etag") ?? "";

    await value(store.abortMultipart(key, uploadId));
    expect(await statusOf(fetch(part.url, { method: "PUT", body: randomBytes(2048) }))).toBe(404);
    const completed = await store.completeMultipart(key, uploadId, [{ partNumber: 1, eTag }]);
    expect(completed._unsafeUnwrapErr().kind).toBe("not-found");
    expect((await store.abortMultipart(key, uploadId))._unsafeUnwrapErr().kind).toBe("not-found");
    expect((await store.head(key))._unsafeUnwrapErr().kind).toBe("not-found");
  });
});

describe("listing a multipart upload's stored parts", () => {
  it("lists the parts stored so far (paged), with sizes and ETags; an unknown upload is not-found", async () => {
    const store = await freshStore("list-parts");
    const key = `uploads/${randomUUID()}/movie.mov`;
    const { uploadId } = await value(store.createMultipart(key, "video/quicktime"));
    expect(await value(store.listParts(key, uploadId))).toEqual([]);
    // Parts 1, 3 and 4 of a 5-part upload: the holes are what a resumed upload still has to send.
    const sent = new Map([
      [4, new Uint8Array(randomBytes(1000))],
      [1, new Uint8Array(randomBytes(5 * MiB))],
      [3, new Uint8Array(randomBytes(5 * MiB))],
    ]);
    for (const [partNumber, bytes] of sent) {
      const signed = await value(store.presignUploadPart(key, uploadId, partNumber, 600));
      expect(await statusOf(fetch(signed.url, { method: "PUT", body: bytes }))).toBe(200);
    }
    const expected = [1, 3, 4].map((partNumber) => {
      const bytes = sent.get(partNumber) as Uint8Array;
      return { partNumber, size: bytes.byteLength, eTag: md5(bytes) };
    });
    expect(await value(store.listParts(key, uploadId))).toEqual(expected);
    // One part per page: the store follows NextPartNumberMarker to the end.
    expect(await value(store.listParts(key, uploadId, { pageSize: 1 }))).toEqual(expected);

    const unknown = await store.listParts(key, "0123456789abcdef0123456789abcdef");
    expect(unknown._unsafeUnwrapErr().kind).toBe("not-found");
  });
});

describe("refusals, each next to the request that succeeds", () => {
  it("refuses a presigned GET whose signature was tampered with", async () => {
    const store = await freshStore("tampered");
    await value(store.put("k.txt", "secret", { contentType: "text/plain" }));
    const url = new URL((await value(store.presignGet("k.txt", { expiresInSeconds: 60 }))).url);
    expect(await statusOf(fetch(url))).toBe(200);
    const signature = url.searchParams.get("X-Amz-Signature") ?? "";
    url.searchParams.set("X-Amz-Signature", signature.slice(0, -1) + (signature.endsWith("0") ? "1" : "0"));
    expect(await statusOf(fetch(url))).toBe(403);
  });

  it("refuses an expired URL, and accepts one signed at the same time that lasts longer", async () => {
    const twoHoursAgo = Date.now() - 2 * 3600_000;
    const store = await freshStore("expired", {}, { now: () => twoHoursAgo });
    const current = createS3ObjectStore(
      {
        endpoint: s3.endpoint,
        bucket: store.bucket,
        accessKeyId: s3.accessKeyId,
        secretAccessKey: s3.secretAccessKey,
      },
      { now: () => Date.now() },
    );
    await value(current.put("k.txt", "old", { contentType: "text/plain" }));
    const expired = await value(store.presignGet("k.txt", { expiresInSeconds: 60 }));
    expect(expired.expiresAt).toBeLessThan(Date.now());
    const refused = await fetch(expired.url);
    expect(refused.status).toBe(403);
    expect(await refused.text()).toMatch(/expired/i);
    const lasting = await value(store.presignGet("k.txt", { expiresInSeconds: 3 * 3600 }));
    expect(await statusOf(fetch(lasting.url))).toBe(200);
  });

  it("refuses a presigned URL used for a different key", async () => {
    const store = await freshStore("other-key");
    await value(store.put("mine.txt", "mine", { contentType: "text/plain" }));
    await value(store.put("theirs.txt", "theirs", { contentType: "text/plain" }));
    const signed = new URL((await value(store.presignGet("mine.txt", { expiresInSeconds: 60 }))).url);
    expect(await statusOf(fetch(signed))).toBe(200);
    const reused = new URL(signed);
    reused.pathname = signed.pathname.replace(/mine\.txt$/, "theirs.txt");
    expect(reused.pathname).not.toBe(signed.pathname);
    expect(await statusOf(fetch(reused))).toBe(403);
  });

  it("refuses a presigned PUT sent with another content type, and stores nothing", async () => {
    const store = await freshStore("content-type");
    const put = await value(
      store.presignPut("in/clip.mp4", { contentType: "video/mp4", expiresInSeconds: 300 }),
    );
    const send = (contentType: string) =>
      statusOf(fetch(put.url, { method: "PUT", headers: { "content-type": contentType }, body: "data" }));
    expect(await send("text/html")).toBe(403);
    expect((await store.head("in/clip.mp4"))._unsafeUnwrapErr().kind).toBe("not-found");
    expect(await send("video/mp4")).toBe(200);
    expect((await value(store.head("in/clip.mp4"))).contentType).toBe("video/mp4");
  });

  it("refuses a presigned PUT of another length than the signed one", async () => {
    const store = await freshStore("content-length");
    const put = await value(
      store.presignPut("in/sized.bin", {
        contentType: "video/mp4",
        expiresInSeconds: 300,
        contentLength: 10,
      }),
    );
    expect(put.headers).toEqual({ "content-type": "video/mp4", "content-length": "10" });
    const send = (bytes: number) =>
      statusOf(
        fetch(put.url, {
          method: "PUT",
          headers: { "content-type": "video/mp4" },
          body: new Uint8Array(bytes),
        }),
      );
    expect(await send(11)).toBe(403);
    expect(await send(10)).toBe(200);
    expect((await value(store.head("in/sized.bin"))).size).toBe(10);
  });

  it("returns access-denied as a value for a wrong secret", async () => {
    const store = await freshStore("wrong-secret");
    await value(store.put("k.txt", "v", { contentType: "text/plain" }));
    const impostor = createS3ObjectStore(
      {
        endpoint: s3.endpoint,
        bucket: store.bucket,
        accessKeyId: s3.accessKeyId,
        secretAccessKey: randomS3Credentials().secretAccessKey,
      },
      { now: () => Date.now() },
    );
    expect((await impostor.head("k.txt"))._unsafeUnwrapErr().kind).toBe("access-denied");
    const put = await impostor.put("k2.txt", "v", { contentType: "text/plain" });
    expect(put._unsafeUnwrapErr()).toMatchObject({
      kind: "access-denied",
      message: expect.stringContaining("403"),
    });
    expect((await impostor.list(""))._unsafeUnwrapErr().kind).toBe("access-denied");
    expect((await value(store.head("k.txt"))).size).toBe(1);
    expect((await store.head("k2.txt"))._unsafeUnwrapErr().kind).toBe("not-found");
  });
});
