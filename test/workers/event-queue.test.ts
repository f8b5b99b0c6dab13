/// <reference types="@cloudflare/vitest-pool-workers/types" />
// The upload queue inside workerd: POST /internal/events (signed) sends to the UPLOAD_EVENTS producer binding, and
// Miniflare delivers the message to the Worker's own queue consumer, which confirms and enqueues the job.
import { env as bindings, SELF } from "cloudflare:test";
import { describe, expect, inject, it } from "vitest";
import { SIGNATURE_HEADER } from "../../core/signature-header.ts";
import { signBody } from "../../shell/signing/hmac-signature.ts";

const env = inject("workerEnv");
const auth = { authorization: `Bearer ${env.TCODER_API_KEYS}` };

const jobStatus = async (jobId: string): Promise<string> =>
  (
    (await (await SELF.fetch(`http://tcoder.test/api/jobs/${jobId}`, { headers: auth })).json()) as {
      status: string;
    }
  ).status;

describe("upload queue", () => {
  it("has the producer binding wrangler.toml declares", () => {
    expect(typeof (bindings as { UPLOAD_EVENTS?: Queue }).UPLOAD_EVENTS?.send).toBe("function");
  });

  it("relays a signed storage event through the queue to the consumer's intake", async () => {
    const created = await SELF.fetch("http://tcoder.test/api/upload", {
      method: "POST",
      headers: { ...auth, "content-type": "application/json" },
      body: JSON.stringify({ filename: "via-queue.mp4", preset: "default", size: 10 }),
    });
    expect(created.status).toBe(201);
    const upload = (await created.json()) as {
      jobId: string;
      inputKey: string;
      uploadUrl: string;
      uploadHeaders: Record<string, string>;
    };
    const put = await fetch(upload.uploadUrl, {
      method: "PUT",
      headers: upload.uploadHeaders,
      body: "0123456789",
    });
    expect(put.status).toBe(200);

    const body = JSON.stringify({
      account: "local",
      action: "PutObject",
      bucket: env.INPUT_BUCKET,
      object: { key: upload.inputKey, size: 10, eTag: "781e5e245d69b566979b86e28d23f2c7" },
      eventTime: new Date().toISOString(),
    });
    const sent = await SELF.fetch("http://tcoder.test/internal/events", {
      method: "POST",
      headers: {
        "content-type": "application/json",
        [SIGNATURE_HEADER]: await signBody(env.EVENT_SECRET as string, body, Date.now()),
      },
      body,
    });
    expect(sent.status).toBe(202);
    expect(await sent.json()).toEqual({ kind: "sent-to-queue" });

    // The consumer runs when Miniflare delivers the batch (max_batch_timeout = 0: at once).
    const deadline = Date.now() + 10_000;
    let status = await jobStatus(upload.jobId);
    while (status === "uploading" && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      status = await jobStatus(upload.jobId);
    }
    expect(status).toBe("pending");
  });
});
