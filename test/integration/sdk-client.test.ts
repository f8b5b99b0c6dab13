// The SDK against the control plane's app and the real S3 server (SigV4-checked presigned URLs, ListParts): uploads
// single and multipart, a multipart upload stopped half-way and resumed without re-sending the parts stored, a
// stream upload, typed errors, wait, list, and a webhook verified on its raw body. API requests go through
// app.request (the SDK's `fetch` option); part PUTs go over the network to the S3 server, and are counted there.

import { createHash, randomBytes } from "node:crypto";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createClient,
  type FetchLike,
  TcoderError,
  TcoderNetworkError,
  type UploadProgress,
  type UploadResumeState,
  verifyWebhook,
  WebhookVerificationError,
} from "../../sdk/index.ts";
import { intakeUploadEvent } from "../../shell/control-plane/intake/intake-upload-event.ts";
import { type RawWebhookReceiver, startRawWebhookReceiver } from "../support/raw-webhook-receiver.ts";
import {
  API_KEY,
  type Harness,
  PUBLIC_URL,
  r2Event,
  startHarness,
  WEBHOOK_SECRET,
} from "./control-plane-harness.ts";

const MiB = 1024 * 1024;
let h: Harness;
/** Every request the SDK sent to storage (method and part number), in order. */
const storageRequests: { method: string; partNumber: number | null }[] = [];

beforeAll(async () => {
  h = await startHarness("sdk", {
    MULTIPART_PART_BYTES: String(5 * MiB),
    MULTIPART_THRESHOLD_BYTES: String(5 * MiB),
    MULTIPART_PARTS_LISTED: "2",
  });
});
afterAll(() => h?.close());

/** The SDK's fetch: the API through app.request, storage over the network (and counted). */
const routedFetch: FetchLike = async (input, init) => {
  if (input.startsWith(PUBLIC_URL)) return h.request(input, init) as Promise<Response>;
  const url = new URL(input);
  const part = url.searchParams.get("partNumber");
  storageRequests.push({ method: init?.method ?? "GET", partNumber: part === null ? null : Number(part) });
  return fetch(input, init);
};

const client = (apiKey = API_KEY) => createClient({ baseUrl: PUBLIC_URL, apiKey, fetch: routedFetch });

/** What R2's event notification does once the object is whole: the job leaves `uploading`. */
const storageEvent = async (jobId: string) => {
  const job = (await h.deps.jobs.load(jobId))._unsafeUnwrap();
  if (job === null) throw new Error(`no job ${jobId}`);
  const size = (await h.deps.inputs.head(job.job.inputKey))._unsafeUnwrap().size;
  (
    await intakeUploadEvent(h.deps, r2Event(h, job.job.inputKey, size, "CompleteMultipartUpload"))
  )._unsafeUnwrap();
};

const sha256 = (bytes: Uint8Array) => createHash("sha256").update(bytes).digest("hex");

/** The input object of a job, read back from storage. */
const storedInput = async (jobId: string): Promise<Uint8Array> => {
  const job = (await h.deps.jobs.load(jobId))._unsafeUnwrap();
  if (job === null) throw new Error(`no job ${jobId}`);
  const object = (await h.deps.inputs.getStream(job.job.inputKey))._unsafeUnwrap();
  return new Uint8Array(await new Response(object.body).arrayBuffer());
};

describe("upload", () => {
  it("sends a small file with one presigned PUT", async () => {
    const bytes = new Uint8Array(randomBytes(1 * MiB));
    const progress: UploadProgress[] = [];
    const result = await client().upload(new File([bytes], "small.mp4", { type: "video/mp4" }), {
      preset: "default",
      onProgress: (p) => progress.push(p),
    });
    expect(result).toMatchObject({ multipart: false, partCount: 1, sentBytes: bytes.byteLength });
    expect(progress.at(-1)).toMatchObject({ uploadedBytes: bytes.byteLength, totalBytes: bytes.byteLength });
    expect(sha256(await storedInput(result.jobId))).toBe(sha256(bytes));
  });

  it("sends a large file in parallel parts, signing the URLs not listed at creation, and completes it", async () => {
    const bytes = new Uint8Array(randomBytes(23 * MiB));
    const states: UploadResumeState[] = [];
    const progress: UploadProgress[] = [];
    const before = storageRequests.length;
    const result = await client().upload(new Blob([bytes]), {
      preset: "default",
      filename: "large.mov",
      concurrency: 3,
      onResumeState: (state) => void states.push(state),
      onProgress: (p) => progress.push(p),
    });
    expect(result).toMatchObject({
      multipart: true,
      partCount: 5,
      resumedParts: 0,
      sentBytes: bytes.byteLength,
    });
    expect(states).toEqual([
      expect.objectContaining({
        jobId: result.jobId,
        partSize: 5 * MiB,
        partCount: 5,
        size: bytes.byteLength,
      }),
    ]);
    const parts = storageRequests.slice(before).map((r) => r.partNumber);
    expect(parts.sort()).toEqual([1, 2, 3, 4, 5]);
    expect(progress.map((p) => p.uploadedBytes)).toEqual(
      [...progress.map((p) => p.uploadedBytes)].sort((a, b) => a - b),
    );
    expect(progress.at(-1)).toMatchObject({ uploadedBytes: bytes.byteLength, partsDone: 5 });
    expect(sha256(await storedInput(result.jobId))).toBe(sha256(bytes));
  });

  it("resumes a stopped upload from what storage holds, sending only the missing parts", async () => {
    const bytes = new Uint8Array(randomBytes(27 * MiB));
    const file = new File([bytes], "resume.mov", { lastModified: 1_700_000_000_000 });
    let state: UploadResumeState | undefined;
    const stop = new AbortController();
    const first = client().upload(file, {
      preset: "default",
      concurrency: 1,
      signal: stop.signal,
      onResumeState: (s) => {
        state = s;
      },
      onProgress: (p) => {
        if (p.partsDone === 3) stop.abort(new Error("stopped half-way"));
      },
    });
    await expect(first).rejects.toThrow("stopped half-way");
    if (state === undefined) throw new Error("no resume state was handed out");
    // Saved and read back as a caller would (a file, localStorage).
    const saved = JSON.parse(JSON.stringify(state)) as UploadResumeState;

    const before = storageRequests.length;
    const reports: unknown[] = [];
    const result = await client().upload(file, {
      preset: "default",
      resume: saved,
      onResume: (report) => reports.push(report),
    });
    const resent = storageRequests.slice(before).map((r) => r.partNumber);
    expect(reports).toEqual([{ kind: "resumed", storedParts: 3, partCount: 6, storedBytes: 15 * MiB }]);
    expect(resent.sort()).toEqual([4, 5, 6]);
    expect(result).toMatchObject({ jobId: state.jobId, resumedParts: 3, sentBytes: 12 * MiB });
    expect(sha256(await storedInput(result.jobId))).toBe(sha256(bytes));

    // Once the storage event has queued the job, the same state resumes to nothing at all.
    await storageEvent(result.jobId);
    const again: unknown[] = [];
    const done = await client().upload(file, {
      preset: "default",
      resume: saved,
      onResume: (r) => again.push(r),
    });
    expect(again).toEqual([{ kind: "already-uploaded", jobId: state.jobId }]);
    expect(done.sentBytes).toBe(0);
  });

  it("starts over when the saved state is for another file", async () => {
    const bytes = new Uint8Array(randomBytes(6 * MiB));
    let state: UploadResumeState | undefined;
    await client().upload(new File([bytes], "a.mov"), {
      preset: "default",
      onResumeState: (s) => {
        state = s;
      },
    });
    const reports: { kind: string }[] = [];
    const other = await client().upload(new File([bytes], "b.mov"), {
      preset: "default",
      resume: state,
      onResume: (r) => reports.push(r),
    });
    expect(reports.map((r) => r.kind)).toEqual(["discarded"]);
    expect(other.jobId).not.toBe(state?.jobId);
  });

  it("uploads a ReadableStream of known size in parts, and resumes one by skipping what is stored", async () => {
    const bytes = new Uint8Array(randomBytes(12 * MiB + 7));
    const streamOf = () =>
      new ReadableStream<Uint8Array>({
        start(controller) {
          for (let i = 0; i < bytes.byteLength; i += 1_000_000)
            controller.enqueue(bytes.slice(i, i + 1_000_000));
          controller.close();
        },
      });
    let state: UploadResumeState | undefined;
    const stop = new AbortController();
    await expect(
      client().upload(
        { stream: streamOf(), size: bytes.byteLength, name: "live.ts" },
        {
          preset: "default",
          resumeKey: "camera-1",
          concurrency: 1,
          signal: stop.signal,
          onResumeState: (s) => {
            state = s;
          },
          onProgress: (p) => {
            if (p.partsDone === 1) stop.abort(new Error("stopped"));
          },
        },
      ),
    ).rejects.toThrow("stopped");
    const before = storageRequests.length;
    const result = await client().upload(
      { stream: streamOf(), size: bytes.byteLength, name: "live.ts" },
      { preset: "default", resumeKey: "camera-1", ...(state ? { resume: state } : {}) },
    );
    expect(storageRequests.slice(before).map((r) => r.partNumber)).toEqual([2, 3]);
    expect(result.sentBytes).toBe(bytes.byteLength - 5 * MiB);
    expect(sha256(await storedInput(result.jobId))).toBe(sha256(bytes));
  });
});

describe("typed errors", () => {
  it("a bad key is a TcoderError 401 'unauthorized'", async () => {
    const failure = await client("tk_not_a_real_key_at_all")
      .stats()
      .catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(TcoderError);
    expect(failure).toMatchObject({ status: 401, code: "unauthorized" });
  });

  it("an unknown job is 404, a second cancel 409 with the lifecycle's code, a bad request 400", async () => {
    const sdk = client();
    await expect(sdk.get("job_doesnotexist00000")).rejects.toMatchObject({
      status: 404,
      code: "job-not-found",
    });
    const { jobId } = await sdk.upload(new File([new Uint8Array(1000)], "c.mp4"), { preset: "default" });
    expect((await sdk.cancel(jobId, { reason: "changed my mind" })).status).toBe("cancelled");
    await expect(sdk.cancel(jobId)).rejects.toMatchObject({ status: 409, name: "TcoderError" });
    await expect(sdk.createFromUrl("not a url", { preset: "hls" })).rejects.toMatchObject({
      status: 400,
      code: "invalid-request",
    });
  });

  it("no server at all is a TcoderNetworkError, after the transport retries", async () => {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as AddressInfo;
    await new Promise<void>((resolve) => server.close(() => resolve()));
    const nowhere = createClient({ baseUrl: `http://127.0.0.1:${port}`, apiKey: API_KEY, retries: 1 });
    await expect(nowhere.stats()).rejects.toBeInstanceOf(TcoderNetworkError);
  });
});

describe("wait, list and webhooks", () => {
  let receiver: RawWebhookReceiver;
  beforeAll(async () => {
    receiver = await startRawWebhookReceiver(200);
  });
  afterAll(() => receiver.close());

  it("wait resolves with the terminal view; the webhook verifies on its raw body, and not once tampered", async () => {
    const sdk = client();
    const { jobId } = await sdk.upload(new File([new Uint8Array(2000)], "w.mp4"), {
      preset: "default",
      webhookUrl: receiver.url,
    });
    const seen: string[] = [];
    const waiting = sdk.wait(jobId, { onProgress: (job) => seen.push(job.status) });
    await sdk.cancel(jobId, { reason: "test" });
    const final = await waiting;
    expect(final.status).toBe("cancelled");
    expect(seen.at(-1)).toBe("cancelled");

    await h.drain();
    const delivery = receiver.deliveries.find((d) => d.body.toString().includes(jobId));
    if (delivery === undefined) throw new Error("no webhook arrived");
    const event = await verifyWebhook(delivery.body, delivery.signature, WEBHOOK_SECRET, Date.now());
    expect(event).toMatchObject({ type: "job.cancelled", data: { jobId, status: "cancelled" } });

    const tampered = delivery.body.toString().replace('"cancelled"', '"completed"');
    await expect(
      verifyWebhook(tampered, delivery.signature, WEBHOOK_SECRET, Date.now()),
    ).rejects.toMatchObject({
      code: "bad-signature",
    });
    // Re-serialised JSON is not the body that was signed (key order, spacing): the classic pitfall, refused.
    const reserialised = JSON.stringify(JSON.parse(delivery.body.toString()), null, 1);
    await expect(
      verifyWebhook(reserialised, delivery.signature, WEBHOOK_SECRET, Date.now()),
    ).rejects.toBeInstanceOf(WebhookVerificationError);
    await expect(
      verifyWebhook(delivery.body, delivery.signature, WEBHOOK_SECRET, Date.now() + 3600_000),
    ).rejects.toMatchObject({ code: "stale-signature" });
  });

  // Needs GET /api/jobs (issue 14's tenancy item): the caller's jobs, newest first, cursor-paginated.
  it("lists the key's jobs newest first, page by page", async () => {
    const sdk = client();
    const made: string[] = [];
    for (const name of ["l1.mp4", "l2.mp4", "l3.mp4"]) {
      made.push((await sdk.upload(new File([new Uint8Array(100)], name), { preset: "default" })).jobId);
    }
    const first = await sdk.list({ limit: 2 });
    expect(first.jobs.map((job) => job.jobId)).toEqual([made[2], made[1]]);
    expect(first.nextCursor).not.toBeNull();
    const seen: string[] = [];
    for await (const page of sdk.listPages({ limit: 2 })) seen.push(...page.jobs.map((job) => job.jobId));
    expect(seen.slice(0, 3)).toEqual([...made].reverse());
    const uploading = await sdk.list({ status: "uploading", limit: 100 });
    expect(uploading.jobs.every((job) => job.status === "uploading")).toBe(true);
  });
});
