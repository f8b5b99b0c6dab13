// Work after the response where the runtime has a queue (the Worker, whose waitUntil work is cut 30 s after the
// response): a finished job's webhook and the spawn it frees room for are handed to the queue, so the request's
// background work is one send; the queue consumer then delivers the webhook and runs admission. When the send
// fails, nothing is lost: the webhook stays owed in the outbox for the cron, and the cron admits waiting jobs.
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { SIGNATURE_HEADER } from "../../core/signature-header.ts";
import { processQueueBatch } from "../../shell/control-plane/background/process-queue-batch.ts";
import type { EventQueue } from "../../shell/control-plane/config/control-plane-deps.ts";
import { runCron } from "../../shell/control-plane/cron/run-cron.ts";
import { createApp } from "../../shell/control-plane/http/app.ts";
import { intakeUploadEvent } from "../../shell/control-plane/intake/intake-upload-event.ts";
import type { EventMessage } from "../../shell/control-plane/intake/process-event-batch.ts";
import { backgroundTasks } from "../../shell/node-server/background-tasks.ts";
import { signBody } from "../../shell/signing/hmac-signature.ts";
import {
  callbackKeyFor,
  type Harness,
  keysOf,
  nonce,
  PUBLIC_URL,
  r2Event,
  startHarness,
} from "./control-plane-harness.ts";

/** A client's webhook endpoint: records the path of every POST and answers 204. */
let receiver: Server;
const received: string[] = [];
let h: Harness;

beforeAll(async () => {
  receiver = createServer((req: IncomingMessage, res) => {
    req.resume();
    req.on("end", () => {
      received.push(req.url ?? "");
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
});
afterAll(() => new Promise<void>((resolve) => receiver.close(() => resolve())));

// One harness (own Redis prefix, own fake Fly) per test: each test's pending jobs are its own.
beforeEach(async () => {
  // The cron sends owed webhooks at once: no 5-minute wait in a test.
  h = await startHarness("cp-background", { WEBHOOK_OUTBOX_AFTER_MS: "0" });
});
afterEach(() => h?.close());

const hookUrl = (path: string) => `http://127.0.0.1:${(receiver.address() as AddressInfo).port}${path}`;
const deliveredTo = (path: string) => received.filter((p) => p === path).length;

/** The Worker's UPLOAD_EVENTS producer, recording what it is sent (or refusing every send). */
const recordingQueue = (failing = false) => {
  const sent: unknown[] = [];
  const queue: EventQueue = {
    send: async (body) => {
      if (failing) throw new Error("queue unavailable");
      sent.push(body);
    },
  };
  return { queue, sent };
};

/** The control plane as the Worker runs it: with the queue; waitUntil work is tracked so the test can wait it out. */
const workerApp = (queue: EventQueue) => {
  const app = createApp({ ...h.deps, eventQueue: queue });
  const tasks = backgroundTasks();
  const signedPost = async (path: string, body: string) =>
    app.request(
      `${PUBLIC_URL}${path}`,
      {
        method: "POST",
        headers: {
          "content-type": "application/json",
          [SIGNATURE_HEADER]: await signBody(callbackKeyFor(JSON.parse(body).machineId), body, Date.now()),
        },
        body,
      },
      {},
      tasks.context,
    );
  return { signedPost, afterResponses: () => tasks.drain() };
};

/** Queue messages as the consumer gets them, recording acks and retries. */
const asMessages = (bodies: readonly unknown[]) => {
  const settled: string[] = [];
  const messages: EventMessage[] = bodies.map((body, i) => ({
    id: `msg-${i}`,
    body,
    attempts: 1,
    ack: () => void settled.push(`ack msg-${i}`),
    retry: () => void settled.push(`retry msg-${i}`),
  }));
  return { messages, settled };
};

/** A job with a webhook, uploaded and enqueued; with `claim`, claimed by a live machine. */
const newJob = async (webhookPath: string, claim: boolean) => {
  const upload = await (
    await h.api("/api/upload", {
      method: "POST",
      json: { filename: "in.mp4", preset: "default", size: 256, webhookUrl: hookUrl(webhookPath) },
    })
  ).json();
  (await intakeUploadEvent(h.deps, r2Event(h, upload.inputKey, 256)))._unsafeUnwrap();
  if (!claim) return { jobId: upload.jobId as string, machineId: "", leaseToken: "" };
  const machineId = `m_${nonce()}`;
  (await h.deps.machines.register(machineId))._unsafeUnwrap();
  const leaseToken = `lease_${nonce()}`;
  const claimed = (await h.deps.jobs.claim(machineId, leaseToken))._unsafeUnwrap();
  expect(claimed.kind === "claimed" && claimed.job.jobId).toBe(upload.jobId);
  return { jobId: upload.jobId as string, machineId, leaseToken };
};

const completedReport = (job: { jobId: string; machineId: string; leaseToken: string }) =>
  JSON.stringify({
    kind: "completed",
    jobId: job.jobId,
    leaseToken: job.leaseToken,
    machineId: job.machineId,
    outputs: [],
    costUsd: 0.001,
    machineSeconds: 2,
    sentAt: Date.now(),
    nonce: nonce(),
  });

const owed = () => h.redis.zrange(keysOf(h).webhookOutbox, 0, -1);
const liveMachines = () => h.fly.machines().filter((m) => m.state !== "destroyed").length;

describe("background work on a runtime with a queue (the Worker)", () => {
  it("hands a finished job's webhook and the spawn to the queue; the consumer sends and spawns", async () => {
    const path = `/finished/${nonce()}`;
    const job = await newJob(path, true);
    // Two more jobs wait: the machine that finished can take one, the spawn it triggers is for the other.
    await newJob(`/waiting/${nonce()}`, false);
    await newJob(`/waiting/${nonce()}`, false);
    const machinesBefore = liveMachines();
    const { queue, sent } = recordingQueue();
    const worker = workerApp(queue);

    const callback = await worker.signedPost("/internal/callbacks", completedReport(job));
    expect(await callback.json()).toMatchObject({ status: "completed", applied: true });
    await worker.afterResponses();
    // All the request left behind was two sends: no webhook went out, no machine was created.
    expect(sent).toEqual([
      { tcoder: "background-task", task: { kind: "webhook", jobId: job.jobId, origin: PUBLIC_URL } },
      { tcoder: "background-task", task: { kind: "spawn" } },
    ]);
    expect(deliveredTo(path)).toBe(0);
    expect(liveMachines()).toBe(machinesBefore);
    expect(await owed()).toContain(job.jobId);

    const { messages, settled } = asMessages(sent);
    await processQueueBatch(h.deps, messages);
    expect(settled).toEqual(["ack msg-0", "ack msg-1"]);
    expect(deliveredTo(path)).toBe(1);
    expect(await owed()).not.toContain(job.jobId);
    expect(liveMachines()).toBe(machinesBefore + 1);
  });

  it("acks a tagged message it cannot read, and passes R2's events on the same queue to the intake", async () => {
    const upload = await (
      await h.api("/api/upload", {
        method: "POST",
        json: { filename: "in.mp4", preset: "default", size: 256 },
      })
    ).json();
    const { messages, settled } = asMessages([
      { tcoder: "background-task", task: { kind: "reboot" } },
      r2Event(h, upload.inputKey, 256),
    ]);
    await processQueueBatch(h.deps, messages);
    expect(settled.sort()).toEqual(["ack msg-0", "ack msg-1"]);
    expect(h.logs.map((line) => line.event)).toContain("background.malformed-task");
    expect((await (await h.api(`/api/jobs/${upload.jobId}`)).json()).status).not.toBe("uploading");
  });

  it("loses nothing when the queue refuses the send: the cron sends the owed webhook", async () => {
    const path = `/queue-down/${nonce()}`;
    const job = await newJob(path, true);
    const worker = workerApp(recordingQueue(true).queue);
    const callback = await worker.signedPost("/internal/callbacks", completedReport(job));
    expect(await callback.json()).toMatchObject({ status: "completed" });
    await worker.afterResponses();
    expect(deliveredTo(path)).toBe(0);
    expect(h.logs.filter((line) => line.event === "background.queue-send-failed")).toHaveLength(2);
    expect(await owed()).toContain(job.jobId);

    await runCron(h.deps);
    expect(deliveredTo(path)).toBe(1);
    expect(await owed()).not.toContain(job.jobId);
  });
});
