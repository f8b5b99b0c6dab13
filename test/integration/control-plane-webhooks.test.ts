// Webhooks at least once, through the Redis outbox: jobs that finish with no callback (failed by the sweep, or whose
// worker's report never arrived) still reach their client via the cron; delivered ones are settled and never resent.
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { SIGNATURE_HEADER } from "../../core/signature-header.ts";
import { runCron } from "../../shell/control-plane/cron/run-cron.ts";
import { intakeUploadEvent } from "../../shell/control-plane/intake/intake-upload-event.ts";
import { processEventBatch } from "../../shell/control-plane/intake/process-event-batch.ts";
import { backgroundView } from "../../shell/control-plane/views/render-job-view.ts";
import { notifyJobOutcome } from "../../shell/control-plane/webhooks/deliver-webhook.ts";
import { verifyBody } from "../../shell/signing/hmac-signature.ts";
import {
  type Harness,
  keysOf,
  nonce,
  r2Event,
  startHarness,
  WEBHOOK_SECRET,
} from "./control-plane-harness.ts";

interface Delivery {
  readonly path: string;
  readonly body: string;
  readonly signature: string | undefined;
}

/** A client's webhook endpoint: records every POST; answers each path's scripted statuses, then 204. */
let receiver: Server;
let deliveries: Delivery[];
const scripted = new Map<string, number[]>();

beforeAll(async () => {
  deliveries = [];
  receiver = createServer((req: IncomingMessage, res) => {
    let body = "";
    req.on("data", (chunk) => (body += chunk));
    req.on("end", () => {
      const path = req.url ?? "";
      deliveries.push({ path, body, signature: req.headers[SIGNATURE_HEADER.toLowerCase()] as string });
      res.writeHead(scripted.get(path)?.shift() ?? 204).end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
});
afterAll(() => new Promise<void>((resolve) => receiver.close(() => resolve())));

const hookUrl = (path: string) => `http://127.0.0.1:${(receiver.address() as AddressInfo).port}${path}`;
const sentTo = (path: string) => deliveries.filter((d) => d.path === path);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const harnesses: Harness[] = [];
afterEach(async () => {
  await Promise.all(harnesses.splice(0).map((h) => h.close()));
});

/** The cron sends what is owed at once (no wait), leases expire in a second, one attempt per job. */
const start = async (overrides: Record<string, string> = {}) => {
  const h = await startHarness("cp-webhooks", {
    WEBHOOK_OUTBOX_AFTER_MS: "0",
    LEASE_MS: "1000",
    HEARTBEAT_MS: "100",
    MAX_ATTEMPTS: "1",
    ...overrides,
  });
  harnesses.push(h);
  return h;
};

/** A job with a webhook, uploaded, enqueued and claimed by a live machine. */
const runningJob = async (h: Harness, webhookPath: string | null) => {
  const upload = await (
    await h.api("/api/upload", {
      method: "POST",
      json: {
        filename: "in.mp4",
        preset: "web-optimized",
        size: 256,
        ...(webhookPath === null ? {} : { webhookUrl: hookUrl(webhookPath) }),
      },
    })
  ).json();
  (await intakeUploadEvent(h.deps, r2Event(h, upload.inputKey, 256)))._unsafeUnwrap();
  const machineId = `m_${nonce()}`;
  (await h.deps.machines.register(machineId))._unsafeUnwrap();
  const leaseToken = `lease_${nonce()}`;
  const claimed = (await h.deps.jobs.claim(machineId, leaseToken))._unsafeUnwrap();
  expect(claimed.kind === "claimed" && claimed.job.jobId).toBe(upload.jobId);
  return { jobId: upload.jobId as string, machineId, leaseToken };
};

/** What a pool worker does: commits the completion in Redis itself. Its callback to the control plane is lost. */
const completeInRedis = async (h: Harness, job: { jobId: string; leaseToken: string }) =>
  (
    await h.deps.jobs.transition(
      job.jobId,
      {
        type: "complete",
        leaseToken: job.leaseToken,
        outputs: [],
        costUsd: 0.001,
        machineSeconds: 2,
        at: Date.now(),
      },
      h.deps.config.retryPolicy,
    )
  )._unsafeUnwrap();

const owed = async (h: Harness) => h.redis.zrange(keysOf(h).webhookOutbox, 0, -1);

const expectSignedEvent = async (delivery: Delivery | undefined, type: string, jobId: string) => {
  if (!delivery) throw new Error(`no ${type} delivery`);
  const verified = await verifyBody(delivery.signature, delivery.body, {
    secrets: [WEBHOOK_SECRET],
    nowMs: Date.now(),
    toleranceSeconds: 300,
  });
  expect(verified.isOk()).toBe(true);
  const event = JSON.parse(delivery.body);
  expect(event).toMatchObject({ type, data: { jobId } });
  expect(event.id).toMatch(new RegExp(`^evt_${jobId}_`));
  return event;
};

describe("the webhook outbox", () => {
  it("a job the sweep failed (its worker died) reaches its client through the cron, once", async () => {
    const h = await start();
    const path = `/sweep-failed/${nonce()}`;
    const job = await runningJob(h, path);
    expect(await owed(h)).toEqual([]);

    await sleep(1100); // the machine's lease (1 s, Redis time) runs out: it died without a word
    const cron = await runCron(h.deps);
    expect(cron.sweep).toMatchObject({ failed: 1 });
    expect(cron.webhooks).toEqual({ delivered: 1, retrying: 0, dropped: 0 });
    const event = await expectSignedEvent(sentTo(path)[0], "job.failed", job.jobId);
    expect(event.data.status).toBe("failed");
    expect(event.data.error.message).toMatch(/lease|worker|machine/i);
    expect(await owed(h)).toEqual([]);

    expect((await runCron(h.deps)).webhooks).toEqual({ delivered: 0, retrying: 0, dropped: 0 });
    expect(sentTo(path)).toHaveLength(1);
  });

  it("a job completed in Redis whose callback never arrived is sent by the cron", async () => {
    const h = await start();
    const path = `/lost-callback/${nonce()}`;
    const job = await runningJob(h, path);
    await completeInRedis(h, job);
    expect(await owed(h)).toEqual([job.jobId]);

    expect((await runCron(h.deps)).webhooks).toEqual({ delivered: 1, retrying: 0, dropped: 0 });
    await expectSignedEvent(sentTo(path)[0], "job.completed", job.jobId);
    expect(await owed(h)).toEqual([]);
  });

  it("a webhook sent as the job finishes is settled: the cron does not send it again", async () => {
    const h = await start();
    const path = `/on-time/${nonce()}`;
    const job = await runningJob(h, path);
    await completeInRedis(h, job);
    const view = backgroundView(h.deps);
    expect(await notifyJobOutcome(h.deps, job.jobId, view)).toMatchObject({ kind: "delivered" });
    // A duplicate callback's send is recognised and skipped.
    expect(await notifyJobOutcome(h.deps, job.jobId, view)).toEqual({
      kind: "skipped",
      reason: "already-sent",
    });
    expect(await owed(h)).toEqual([]);

    expect((await runCron(h.deps)).webhooks).toEqual({ delivered: 0, retrying: 0, dropped: 0 });
    expect(sentTo(path)).toHaveLength(1);
  });

  it("an endpoint that is down stays owed until it answers; one that refuses for good is dropped", async () => {
    const h = await start({ WEBHOOK_RETRIES: "0" });
    const down = `/down/${nonce()}`;
    const gone = `/gone/${nonce()}`;
    scripted.set(down, [503, 503]);
    scripted.set(gone, [410]);
    const flaky = await runningJob(h, down);
    const refused = await runningJob(h, gone);
    await completeInRedis(h, flaky);
    await completeInRedis(h, refused);

    // The send as the jobs finish: one attempt each (WEBHOOK_RETRIES=0), the endpoint down, the other gone.
    const view = backgroundView(h.deps);
    expect(await notifyJobOutcome(h.deps, flaky.jobId, view)).toMatchObject({ kind: "failed", final: false });
    expect(await notifyJobOutcome(h.deps, refused.jobId, view)).toMatchObject({
      kind: "failed",
      final: true,
    });
    expect(await owed(h)).toEqual([flaky.jobId]);

    expect((await runCron(h.deps)).webhooks).toEqual({ delivered: 0, retrying: 1, dropped: 0 });
    expect(await owed(h)).toEqual([flaky.jobId]);
    expect((await runCron(h.deps)).webhooks).toEqual({ delivered: 1, retrying: 0, dropped: 0 });
    expect(await owed(h)).toEqual([]);

    expect(sentTo(down).map((d) => d.body)).toHaveLength(3);
    // Every attempt carries the same event id, so the receiver can tell a resend from a new event.
    expect(new Set(sentTo(down).map((d) => JSON.parse(d.body).id)).size).toBe(1);
    expect(sentTo(gone)).toHaveLength(1);
  });

  it("waits WEBHOOK_OUTBOX_AFTER_MS before taking over, and gives up on webhooks older than the give-up age", async () => {
    const h = await start({ WEBHOOK_OUTBOX_AFTER_MS: "600000" });
    const fresh = `/fresh/${nonce()}`;
    const ancient = `/ancient/${nonce()}`;
    const recent = await runningJob(h, fresh);
    const old = await runningJob(h, ancient);
    await completeInRedis(h, recent);
    await completeInRedis(h, old);
    // As if `old` had finished two days ago and its every send had failed since.
    const twoDaysAgo = (await h.redis.zscore(keysOf(h).webhookOutbox, old.jobId)) as string;
    await h.redis.zadd(keysOf(h).webhookOutbox, Number(twoDaysAgo) - 2 * 86_400_000, old.jobId);

    const cron = await runCron(h.deps);
    expect(cron.webhooks).toEqual({ delivered: 0, retrying: 0, dropped: 1 });
    expect(await owed(h)).toEqual([recent.jobId]);
    expect(h.logs.some((l) => l.event === "webhook.abandoned" && l.fields.jobId === old.jobId)).toBe(true);
    expect(sentTo(fresh)).toHaveLength(0);
    expect(sentTo(ancient)).toHaveLength(0);
  });

  it("an upload over the size limit is cancelled at intake, and its client told at once", async () => {
    const h = await start({ MAX_UPLOAD_BYTES: "100", WEBHOOK_OUTBOX_AFTER_MS: "600000" });
    const path = `/too-big/${nonce()}`;
    const upload = await (
      await h.api("/api/upload", {
        method: "POST",
        json: { filename: "in.mp4", preset: "web-optimized", size: 100, webhookUrl: hookUrl(path) },
      })
    ).json();
    let acked = false;
    const message = {
      id: nonce(),
      body: r2Event(h, upload.inputKey, 256),
      attempts: 1,
      ack: () => {
        acked = true;
      },
      retry: () => undefined,
    };
    expect(await processEventBatch(h.deps, [message])).toMatchObject({ acked: 1, enqueued: 0 });
    expect(acked).toBe(true);
    const event = await expectSignedEvent(sentTo(path)[0], "job.cancelled", upload.jobId);
    expect(event.data.error?.message ?? event.data.cancelReason ?? JSON.stringify(event.data)).toMatch(
      /limit/,
    );
    expect(await owed(h)).toEqual([]);
  });

  it("jobs without a webhook, and jobs that have not finished, owe nothing", async () => {
    const h = await start();
    const silent = await runningJob(h, null);
    const path = `/unfinished/${nonce()}`;
    await runningJob(h, path);
    await completeInRedis(h, silent);
    expect(await owed(h)).toEqual([]);
    expect((await runCron(h.deps)).webhooks).toEqual({ delivered: 0, retrying: 0, dropped: 0 });
    expect(sentTo(path)).toHaveLength(0);
  });
});
