// Proves the integration harness hands tests real services: Redis, a SigV4-checking S3 server, FFmpeg.
import { execFile } from "node:child_process";
import { createHash, randomBytes, randomUUID } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import type { AwsClient } from "aws4fetch";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { startLocalS3 } from "../../shell/dev/local-services/local-s3.ts";
import { s3Client, s3Url } from "../../shell/dev/local-services/s3-requests.ts";
import { pickBackend } from "../services/pick-backend.ts";
import type { ObjectCreatedEvent, RunningRedis, RunningS3 } from "../services/service-backend.ts";
import { createTestBucket, randomS3Credentials, uniquePrefix } from "../services/test-namespace.ts";

const run = promisify(execFile);

/** aws4fetch's `datetime` format: 20260102T030405Z */
const amzDate = (epochMs: number): string => new Date(epochMs).toISOString().replace(/[:-]|\.\d{3}/g, "");

async function presign(
  client: AwsClient,
  url: string,
  opts: { method: string; headers?: Record<string, string>; datetime?: string; expiresSeconds?: number },
): Promise<string> {
  const target = new URL(url);
  if (opts.expiresSeconds !== undefined)
    target.searchParams.set("X-Amz-Expires", String(opts.expiresSeconds));
  const signed = await client.sign(target.toString(), {
    method: opts.method,
    headers: opts.headers ?? {},
    aws: { signQuery: true, allHeaders: true, ...(opts.datetime ? { datetime: opts.datetime } : {}) },
  });
  return signed.url;
}

describe("shared redis-server", () => {
  let redis: Redis;
  beforeAll(() => {
    redis = new Redis(inject("redisUrl"), { maxRetriesPerRequest: 1 });
  });
  afterAll(() => redis.quit());

  it("answers PING, SET, GET and Lua under a unique prefix", async () => {
    const prefix = uniquePrefix("services");
    const value = randomUUID();
    expect(await redis.ping()).toBe("PONG");
    expect(await redis.set(`${prefix}greeting`, value)).toBe("OK");
    expect(await redis.get(`${prefix}greeting`)).toBe(value);
    expect(await redis.eval("return redis.call('INCRBY', KEYS[1], ARGV[1])", 1, `${prefix}n`, 5)).toBe(5);
    const [, keys] = await redis.scan(0, "MATCH", `${prefix}*`, "COUNT", 1000);
    expect(keys.sort()).toEqual([`${prefix}greeting`, `${prefix}n`]);
    expect(uniquePrefix("services")).not.toBe(prefix);
  });
});

describe("a Redis a test starts itself", () => {
  const restartKeeps = async (appendonly: boolean): Promise<{ kept: string | null; sameRun: boolean }> => {
    const server: RunningRedis = await (await pickBackend()).startRedis({ appendonly });
    try {
      const before = new Redis(server.url, { maxRetriesPerRequest: 1 });
      await before.set("k", "v");
      const runIdBefore = /run_id:(\w+)/.exec(await before.info("server"))?.[1];
      before.disconnect();
      await server.restart({ signal: "SIGKILL" });
      const after = new Redis(server.url, { maxRetriesPerRequest: 1 });
      const kept = await after.get("k");
      const runIdAfter = /run_id:(\w+)/.exec(await after.info("server"))?.[1];
      await after.quit();
      return { kept, sameRun: runIdBefore === runIdAfter };
    } finally {
      await server.stop();
    }
  };

  it("keeps writes across a kill + restart with AOF (appendfsync everysec)", async () => {
    expect(await restartKeeps(true)).toEqual({ kept: "v", sameRun: false });
  });

  it("loses writes across a kill + restart without persistence (the default)", async () => {
    expect(await restartKeeps(false)).toEqual({ kept: null, sameRun: false });
  });
});

describe("shared S3 server", () => {
  const s3 = inject("s3");
  const client = s3Client(s3);
  let bucket: string;
  let existingKey: string;
  const existingBody = randomBytes(64);
  beforeAll(async () => {
    bucket = await createTestBucket(s3, "services");
    existingKey = `uploads/${randomUUID()}.bin`;
    const put = await client.fetch(s3Url(s3, bucket, existingKey), { method: "PUT", body: existingBody });
    expect(put.status).toBe(200);
  });
  const status = async (response: Promise<Response>): Promise<number> => {
    const res = await response;
    await res.arrayBuffer();
    return res.status;
  };
  const storedStatus = (key: string) => status(client.fetch(s3Url(s3, bucket, key), { method: "HEAD" }));

  it("stores and returns an object signed with the run's credentials", async () => {
    const key = `a dir/${randomUUID()}.mp4`;
    const body = randomBytes(1024);
    const url = s3Url(s3, bucket, key);
    expect(
      await status(client.fetch(url, { method: "PUT", body, headers: { "content-type": "video/mp4" } })),
    ).toBe(200);
    const got = await client.fetch(url);
    expect(got.status).toBe(200);
    expect(got.headers.get("content-type")).toBe("video/mp4");
    expect(Buffer.from(await got.arrayBuffer()).equals(body)).toBe(true);
  });

  it("refuses a request signed with a wrong secret, and stores nothing", async () => {
    const key = `${randomUUID()}.bin`;
    const impostor = s3Client({ ...s3, secretAccessKey: randomS3Credentials().secretAccessKey });
    const res = await impostor.fetch(s3Url(s3, bucket, key), { method: "PUT", body: "x" });
    expect(res.status).toBe(403);
    expect(await res.text()).toContain("SignatureDoesNotMatch");
    expect(await storedStatus(key)).toBe(404);
  });

  it("refuses an unsigned request, and stores nothing", async () => {
    const key = `${randomUUID()}.bin`;
    expect(await status(fetch(s3Url(s3, bucket, key), { method: "PUT", body: "x" }))).toBe(403);
    expect(await status(fetch(s3Url(s3, bucket, existingKey)))).toBe(403);
    expect(await storedStatus(key)).toBe(404);
  });

  it("refuses a presigned GET whose signature was tampered with", async () => {
    const url = new URL(await presign(client, s3Url(s3, bucket, existingKey), { method: "GET" }));
    expect(await status(fetch(url))).toBe(200);
    const signature = url.searchParams.get("X-Amz-Signature") ?? "";
    const flipped = signature.slice(-1) === "0" ? "1" : "0";
    url.searchParams.set("X-Amz-Signature", signature.slice(0, -1) + flipped);
    expect(await status(fetch(url))).toBe(403);
  });

  it("refuses a presigned PUT sent with a content-type other than the signed one", async () => {
    const key = `${randomUUID()}.mp4`;
    const url = await presign(client, s3Url(s3, bucket, key), {
      method: "PUT",
      headers: { "content-type": "video/mp4" },
    });
    expect(new URL(url).searchParams.get("X-Amz-SignedHeaders")).toBe("content-type;host");
    const send = (contentType: string) =>
      status(fetch(url, { method: "PUT", body: "x", headers: { "content-type": contentType } }));
    expect(await send("text/plain")).toBe(403);
    expect(await storedStatus(key)).toBe(404);
    expect(await send("video/mp4")).toBe(200);
    expect(await storedStatus(key)).toBe(200);
  });

  it("refuses an expired presigned URL", async () => {
    const url = s3Url(s3, bucket, existingKey);
    const twoHoursAgo = amzDate(Date.now() - 2 * 3600_000);
    const expired = await presign(client, url, { method: "GET", datetime: twoHoursAgo, expiresSeconds: 60 });
    const res = await fetch(expired);
    expect(res.status).toBe(403);
    expect(await res.text()).toContain("Request has expired");
    const stillValid = await presign(client, url, {
      method: "GET",
      datetime: twoHoursAgo,
      expiresSeconds: 3 * 3600,
    });
    expect(await status(fetch(stillValid))).toBe(200);
  });

  it("refuses a presigned URL used for a different key", async () => {
    const otherKey = `${randomUUID()}.bin`;
    expect(await status(client.fetch(s3Url(s3, bucket, otherKey), { method: "PUT", body: "other" }))).toBe(
      200,
    );
    const signedForExisting = new URL(
      await presign(client, s3Url(s3, bucket, existingKey), { method: "GET" }),
    );
    expect(await status(fetch(signedForExisting))).toBe(200);
    const reused = new URL(s3Url(s3, bucket, otherKey));
    reused.search = signedForExisting.search;
    expect(await status(fetch(reused))).toBe(403);
  });
});

describe("local S3 object-created events", () => {
  let server: RunningS3;
  beforeAll(async () => {
    server = await startLocalS3(randomS3Credentials());
  });
  afterAll(() => server.stop());

  it("reports each written object once, not deletes, and stops after unsubscribe", async () => {
    const bucket = await createTestBucket(server, "events");
    const client = s3Client(server);
    const events: ObjectCreatedEvent[] = [];
    const unsubscribe = server.onObjectCreated?.((event) => events.push(event));
    const body = randomBytes(300);
    const url = s3Url(server, bucket, "in/clip.mp4");
    expect((await client.fetch(url, { method: "PUT", body })).status).toBe(200);
    expect((await client.fetch(url, { method: "DELETE" })).status).toBe(204);
    unsubscribe?.();
    expect((await client.fetch(url, { method: "PUT", body })).status).toBe(200);
    expect(events).toEqual([
      {
        eventName: "ObjectCreated:Put",
        bucket,
        key: "in/clip.mp4",
        size: 300,
        eTag: createHash("md5").update(body).digest("hex"),
        eventTime: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      },
    ]);
  });
});

describe("ffmpeg tools", () => {
  const { ffmpegPath, ffprobePath } = inject("ffmpeg");
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "tcoder-ffmpeg-"));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it("answer -version", async () => {
    expect((await run(ffmpegPath, ["-version"])).stdout).toMatch(/^ffmpeg version /);
    expect((await run(ffprobePath, ["-version"])).stdout).toMatch(/^ffprobe version /);
  });

  it("encode a clip with libx264 that ffprobe reads back", async () => {
    const clip = join(dir, "clip.mp4");
    const source = "testsrc=size=64x48:rate=10:duration=0.5";
    await run(ffmpegPath, ["-v", "error", "-f", "lavfi", "-i", source, "-c:v", "libx264", "-y", clip]);
    const probe = await run(ffprobePath, ["-v", "error", "-show_streams", "-of", "json", clip]);
    const [stream] = (JSON.parse(probe.stdout) as { streams: { codec_name: string; width: number }[] })
      .streams;
    expect(stream).toMatchObject({ codec_name: "h264", width: 64, height: 48 });
  });
});
