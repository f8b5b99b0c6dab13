// Uploads are held to what their job was promised, and no job waits for one forever: an upload whose storage event
// was lost is taken by the cron, one that never comes expires (its multipart upload aborted), sizes are enforced
// where the bytes arrive, uploads nobody wants are deleted, inputs go after their retention, and jobs still waiting
// for an upload count toward the backlog cap. Real Redis (through the Upstash bridge), the real S3 server (s3rver).
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCron } from "../../shell/control-plane/cron/run-cron.ts";
import { intakeUploadEvent } from "../../shell/control-plane/intake/intake-upload-event.ts";
import {
  type Harness,
  keysOf,
  nonce,
  r2Event,
  startHarness,
  type TestResponse,
} from "./control-plane-harness.ts";

const MIN = 60_000;
const DAY = 24 * 60 * MIN;
const MiB = 1024 * 1024;

let h: Harness;
beforeAll(async () => {
  h = await startHarness("cp-intake", { MULTIPART_PART_BYTES: String(5 * MiB) });
});
afterAll(() => h?.close());

interface Upload {
  readonly jobId: string;
  readonly inputKey: string;
  readonly uploadUrl: string;
  readonly uploadHeaders: Record<string, string>;
  readonly multipart?: {
    readonly uploadId: string;
    readonly partSize: number;
    readonly partCount: number;
    readonly parts: readonly { readonly partNumber: number; readonly url: string }[];
  };
}

const requestUpload = async (on: Harness, json: Record<string, unknown>): Promise<Upload> => {
  const response = await on.api("/api/upload", { method: "POST", json: { preset: "default", ...json } });
  expect(response.status, JSON.stringify(await response.clone().json())).toBe(201);
  return response.json();
};

const put = (upload: Upload, bytes: Uint8Array): Promise<Response> =>
  fetch(upload.uploadUrl, { method: "PUT", headers: upload.uploadHeaders, body: bytes });

const jobOf = async (on: Harness, jobId: string) => {
  const response = await on.api(`/api/jobs/${jobId}`);
  expect(response.status).toBe(200);
  return response.json();
};

const inStorage = async (on: Harness, key: string): Promise<boolean> => {
  const head = await on.deps.inputs.head(key);
  if (head.isErr() && head.error.kind !== "not-found") throw new Error(JSON.stringify(head.error));
  return head.isOk();
};

/**
 * What the cron sees `ms` later: the same control plane with its clock ahead. Storage keeps signing with the real
 * clock, as the S3 server (which refuses skewed signatures) would be that much later too.
 */
const later = (on: Harness, ms: number, overrides: Record<string, string> = {}) => {
  const { deps } = on.variant(overrides, () => Date.now() + ms);
  return { deps: { ...deps, inputs: on.deps.inputs, outputs: on.deps.outputs } };
};

const event = (on: Harness, key: string, size: number) => intakeUploadEvent(on.deps, r2Event(on, key, size));

describe("an upload whose storage event was lost (in a Redis outage)", () => {
  it("is taken by the cron from storage: the job is enqueued, and the late event is a duplicate", async () => {
    const upload = await requestUpload(h, { filename: "lost.mp4", size: 512 });
    expect((await put(upload, randomBytes(512))).status).toBe(200);
    // No event arrives. The first look comes a minute after the job was created.
    await runCron(h.deps);
    expect((await jobOf(h, upload.jobId)).status).toBe("uploading");
    await runCron(later(h, 2 * MIN).deps);
    expect(await jobOf(h, upload.jobId)).toMatchObject({
      status: "pending",
      timestamps: { queuedAt: expect.any(String) },
    });
    expect(await h.redis.zscore(keysOf(h).jobsPending, upload.jobId)).not.toBeNull();
    expect((await event(h, upload.inputKey, 512))._unsafeUnwrap()).toEqual({
      kind: "duplicate",
      jobId: upload.jobId,
    });
  });

  it("racing its late storage event, enqueues the job exactly once", async () => {
    for (let round = 0; round < 5; round++) {
      const upload = await requestUpload(h, { filename: `race-${round}.mp4`, size: 64 });
      expect((await put(upload, randomBytes(64))).status).toBe(200);
      const [, taken] = await Promise.all([runCron(later(h, 2 * MIN).deps), event(h, upload.inputKey, 64)]);
      expect(["enqueued", "duplicate"]).toContain(taken._unsafeUnwrap().kind);
      expect((await jobOf(h, upload.jobId)).status).toBe("pending");
      // created, confirmed, enqueued: each once, whoever did it.
      expect(await h.redis.hget(keysOf(h).jobStatus(upload.jobId), "version")).toBe("3");
    }
  });
});

describe("an upload that never comes", () => {
  it("is cancelled once its URL has expired and a grace has passed, with the reason", async () => {
    const upload = await requestUpload(h, { filename: "never.mp4", size: 100 });
    await runCron(later(h, 20 * MIN).deps);
    expect((await jobOf(h, upload.jobId)).status).toBe("uploading");
    await runCron(later(h, 26 * MIN).deps);
    const cancelled = await jobOf(h, upload.jobId);
    expect(cancelled.status).toBe("cancelled");
    expect(cancelled.cancelReason).toBe(
      "upload-expired: no upload arrived within 25 min (the upload URL's 15 min and a 10 min grace)",
    );
  });

  it("waits out a multipart upload's longer part-URL expiry, then aborts its unfinished upload", async () => {
    const settings = { MULTIPART_URL_TTL_SECONDS: "3600" };
    const upload = await requestUpload(h.variant(settings), {
      filename: "slow.mov",
      size: 11 * MiB,
      multipart: true,
    });
    const multipart = upload.multipart;
    if (!multipart) throw new Error("expected a multipart upload");
    const first = multipart.parts[0];
    if (!first) throw new Error("no part URL");
    const part = await fetch(first.url, { method: "PUT", body: randomBytes(5 * MiB) });
    expect(part.status).toBe(200);
    const eTag = part.headers.get("etag") ?? "";

    // Past a single PUT's 15 minutes and grace, but not the hour its part URLs work for.
    await runCron(later(h, 30 * MIN, settings).deps);
    expect((await jobOf(h, upload.jobId)).status).toBe("uploading");
    const { uploads } = await runCron(later(h, 71 * MIN, settings).deps);
    expect(await jobOf(h, upload.jobId), JSON.stringify(uploads)).toMatchObject({
      status: "cancelled",
      cancelReason: expect.stringMatching(/^upload-expired: no upload arrived within 1 h 10 min /),
    });
    // Aborted: the part stored so far is gone, and the upload can no longer be completed.
    const completed = await h.deps.inputs.completeMultipart(upload.inputKey, multipart.uploadId, [
      { partNumber: 1, eTag },
    ]);
    expect(completed._unsafeUnwrapErr().kind).toBe("not-found");
  });

  it("counts toward MAX_PENDING_JOBS while it is awaited, checked atomically", async () => {
    const capped = await startHarness("cp-intake-cap", { MAX_PENDING_JOBS: "4" });
    try {
      const responses: TestResponse[] = await Promise.all(
        Array.from({ length: 10 }, (_, i) =>
          capped.api("/api/upload", {
            method: "POST",
            json: { filename: `c${i}.mp4`, preset: "default", size: 10 },
          }),
        ),
      );
      const statuses = responses.map((r) => r.status).sort();
      expect(statuses).toEqual([201, 201, 201, 201, 429, 429, 429, 429, 429, 429]);
      const refused = responses.find((r) => r.status === 429);
      expect(await refused?.json()).toMatchObject({
        code: "rate-limited",
        message: "4 jobs are already waiting (limit 4)",
      });

      // A job that stops waiting makes room for one more.
      const accepted = await Promise.all(responses.filter((r) => r.status === 201).map((r) => r.json()));
      const cancel = await capped.api(`/api/jobs/${accepted[0].jobId}/cancel`, { method: "POST" });
      expect(cancel.status).toBe(200);
      const next = await capped.api("/api/upload", {
        method: "POST",
        json: { filename: "next.mp4", preset: "default", size: 10 },
      });
      expect(next.status).toBe(201);
    } finally {
      await capped.close();
    }
  });
});

describe("storage hygiene", () => {
  it("needs the upload's size and signs it: storage refuses a PUT of any other length", async () => {
    const unsized = await h.api("/api/upload", {
      method: "POST",
      json: { filename: "a.mp4", preset: "hls" },
    });
    expect(unsized.status).toBe(400);
    expect((await unsized.json()).message).toMatch(/size/);

    const upload = await requestUpload(h, { filename: "exact.mp4", size: 100 });
    expect(upload.uploadHeaders).toMatchObject({ "content-length": "100" });
    const longer = await fetch(upload.uploadUrl, {
      method: "PUT",
      headers: { "content-type": upload.uploadHeaders["content-type"] ?? "" },
      body: randomBytes(101),
    });
    expect(longer.status).toBe(403);
    expect(await inStorage(h, upload.inputKey)).toBe(false);
    expect((await put(upload, randomBytes(100))).status).toBe(200);
  });

  it("signs each part URL for its part's bytes, and no part past the declared size", async () => {
    const upload = await requestUpload(h, { filename: "parts.mov", size: 11 * MiB, multipart: true });
    const multipart = upload.multipart;
    if (!multipart) throw new Error("expected a multipart upload");
    expect(multipart).toMatchObject({ partSize: 5 * MiB, partCount: 3 });
    const url = (n: number) => multipart.parts.find((p) => p.partNumber === n)?.url ?? "";
    expect((await fetch(url(1), { method: "PUT", body: randomBytes(5 * MiB + 1) })).status).toBe(403);
    expect((await fetch(url(3), { method: "PUT", body: randomBytes(2 * MiB) })).status).toBe(403);
    expect((await fetch(url(3), { method: "PUT", body: randomBytes(MiB) })).status).toBe(200);
    const beyond = await h.api(`/api/upload/${upload.jobId}/parts`, {
      method: "POST",
      json: { uploadId: multipart.uploadId, partNumbers: [4] },
    });
    expect(beyond.status).toBe(400);
    expect((await beyond.json()).message).toMatch(/part 4 is outside this upload's 3 parts/);
  });

  it("deletes an upload that still arrives over the limit or at another size, and cancels its job", async () => {
    const small = h.variant({ MAX_UPLOAD_BYTES: "1000" });
    // Storage that does not hold the client to the signed length (or a write by other means): the event says so.
    const wrongSize = await requestUpload(small, { filename: "liar.mp4", size: 500 });
    (
      await h.deps.inputs.put(wrongSize.inputKey, randomBytes(600), { contentType: "video/mp4" })
    )._unsafeUnwrap();
    expect((await event(small, wrongSize.inputKey, 600))._unsafeUnwrap()).toEqual({
      kind: "refused",
      jobId: wrongSize.jobId,
      reason: "the upload is 600 bytes, not the 500 its client declared",
    });
    expect(await inStorage(h, wrongSize.inputKey)).toBe(false);
    expect((await jobOf(h, wrongSize.jobId)).status).toBe("cancelled");

    const tooLarge = await requestUpload(small, { filename: "huge.mp4", size: 1000 });
    (
      await h.deps.inputs.put(tooLarge.inputKey, randomBytes(2000), { contentType: "video/mp4" })
    )._unsafeUnwrap();
    expect((await event(small, tooLarge.inputKey, 2000))._unsafeUnwrap()).toMatchObject({ kind: "refused" });
    expect(await inStorage(h, tooLarge.inputKey)).toBe(false);
    expect(await jobOf(h, tooLarge.jobId)).toMatchObject({
      status: "cancelled",
      cancelReason: "the upload is 2000 bytes; the limit is 1000",
    });
  });

  it("deletes an upload that arrives for a cancelled job", async () => {
    const upload = await requestUpload(h, { filename: "unwanted.mp4", size: 64 });
    expect((await h.api(`/api/jobs/${upload.jobId}/cancel`, { method: "POST" })).status).toBe(200);
    // The URL still works: the client uploads anyway.
    expect((await put(upload, randomBytes(64))).status).toBe(200);
    expect((await event(h, upload.inputKey, 64))._unsafeUnwrap()).toMatchObject({
      kind: "discarded",
      jobId: upload.jobId,
    });
    expect(await inStorage(h, upload.inputKey)).toBe(false);
    expect((await jobOf(h, upload.jobId)).status).toBe("cancelled");
  });

  it("ignores a storage event for a key that is not the job's input", async () => {
    const upload = await requestUpload(h, { filename: "mine.mp4", size: 64 });
    const other = `uploads/${upload.jobId}/other.mp4`;
    (await h.deps.inputs.put(other, randomBytes(64), { contentType: "video/mp4" }))._unsafeUnwrap();
    expect((await event(h, other, 64))._unsafeUnwrap()).toMatchObject({
      kind: "ignored",
      reason: "not-the-input",
    });
    expect((await jobOf(h, upload.jobId)).status).toBe("uploading");
    expect((await put(upload, randomBytes(64))).status).toBe(200);
    expect((await event(h, upload.inputKey, 64))._unsafeUnwrap().kind).toBe("enqueued");
  });
});

describe("after a job ends", () => {
  // Claims take the oldest pending job: these tests have a queue of their own.
  let q: Harness;
  beforeAll(async () => {
    q = await startHarness("cp-intake-ended");
  });
  afterAll(() => q?.close());

  /** An uploaded job, enqueued by its event and claimed by a live machine. */
  const claimedJob = async () => {
    const upload = await requestUpload(q, { filename: "in.mp4", size: 128 });
    expect((await put(upload, randomBytes(128))).status).toBe(200);
    expect((await event(q, upload.inputKey, 128))._unsafeUnwrap().kind).toBe("enqueued");
    const machineId = `m_${nonce()}`;
    (await q.deps.machines.register(machineId))._unsafeUnwrap();
    const leaseToken = `lease_${nonce()}`;
    const claimed = (await q.deps.jobs.claim(machineId, leaseToken))._unsafeUnwrap();
    expect(claimed.kind === "claimed" && claimed.job.jobId).toBe(upload.jobId);
    return { ...upload, machineId, leaseToken };
  };

  const outputKeys = async (jobId: string) =>
    (await q.deps.outputs.list(`outputs/${jobId}/`))._unsafeUnwrap().objects.map((o) => o.key);

  it("deletes the input INPUT_RETENTION_DAYS after the job ended, not sooner, and a cancelled job's leftovers", async () => {
    const done = await claimedJob();
    const output = {
      type: "video" as const,
      key: `outputs/${done.jobId}/default/out.mp4`,
      contentType: "video/mp4",
      size: 3,
    };
    await q.deps.outputs.put(output.key, "mp4", { contentType: "video/mp4" });
    const completed = await q.deps.jobs.transition(
      done.jobId,
      {
        type: "complete",
        leaseToken: done.leaseToken,
        outputs: [output],
        costUsd: 0,
        machineSeconds: 1,
        at: Date.now(),
      },
      q.deps.config.retryPolicy,
    );
    expect(completed.isOk()).toBe(true);

    const dropped = await claimedJob();
    await q.deps.outputs.put(`outputs/${dropped.jobId}/default/out.mp4`, "mp4", { contentType: "video/mp4" });
    expect((await q.api(`/api/jobs/${dropped.jobId}/cancel`, { method: "POST" })).status).toBe(200);

    await runCron(later(q, 6 * DAY).deps);
    expect(await inStorage(q, done.inputKey)).toBe(true);
    expect(await inStorage(q, dropped.inputKey)).toBe(true);

    await runCron(later(q, 7 * DAY + MIN).deps);
    expect(await inStorage(q, done.inputKey)).toBe(false);
    expect(await inStorage(q, dropped.inputKey)).toBe(false);
    // The completed job keeps its outputs; nothing is left of the cancelled one.
    expect(await outputKeys(done.jobId)).toEqual([output.key]);
    expect(await outputKeys(dropped.jobId)).toEqual([]);
    expect((await jobOf(q, done.jobId)).status).toBe("completed");
  });

  it("a single-job worker's completion that lost to a cancel is refused, and the outputs it wrote deleted", async () => {
    const job = await claimedJob();
    const key = `outputs/${job.jobId}/default/out.mp4`;
    await q.deps.outputs.put(key, "mp4", { contentType: "video/mp4" });
    expect((await q.api(`/api/jobs/${job.jobId}/cancel`, { method: "POST" })).status).toBe(200);
    const report = JSON.stringify({
      jobId: job.jobId,
      leaseToken: job.leaseToken,
      machineId: job.machineId,
      sentAt: Date.now(),
      nonce: nonce(),
      kind: "completed",
      outputs: [{ type: "video", key: "out.mp4", contentType: "video/mp4", size: 3 }],
      costUsd: 0.001,
      machineSeconds: 1,
    });
    const refused = await q.signed("/internal/callbacks", report);
    expect(refused.status).toBe(409);
    expect(await refused.json()).toMatchObject({ code: "already-terminal" });
    expect(await outputKeys(job.jobId)).toEqual([]);
  });
});
