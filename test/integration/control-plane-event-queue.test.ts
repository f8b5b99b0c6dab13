// POST /internal/events where the runtime has the upload queue (the Worker's UPLOAD_EVENTS producer): a signed,
// valid R2 event goes onto the queue untouched (the consumer does the intake), anything else is refused, and a
// failed send is answered 503 with the signature forgotten so the relay's retry gets through.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SIGNATURE_HEADER } from "../../core/signature-header.ts";
import type { EventQueue } from "../../shell/control-plane/config/control-plane-deps.ts";
import { createApp } from "../../shell/control-plane/http/app.ts";
import { processEventBatch } from "../../shell/control-plane/intake/process-event-batch.ts";
import { backgroundTasks } from "../../shell/node-server/background-tasks.ts";
import { signBody } from "../../shell/signing/hmac-signature.ts";
import { EVENT_SECRET, type Harness, PUBLIC_URL, r2Event, startHarness } from "./control-plane-harness.ts";

let h: Harness;
beforeAll(async () => {
  h = await startHarness("cp-event-queue");
});
afterAll(async () => {
  await h?.close();
});

/** A queue that records what it is sent, and fails the sends it is told to. */
const recordingQueue = () => {
  const sent: unknown[] = [];
  let failures = 0;
  const queue: EventQueue = {
    send: async (body) => {
      if (failures > 0) {
        failures -= 1;
        throw new Error("queue unavailable");
      }
      sent.push(body);
    },
  };
  const failNext = (n: number) => {
    failures = n;
  };
  return { queue, sent, failNext };
};

const appWith = (queue: EventQueue) => {
  const app = createApp({ ...h.deps, eventQueue: queue });
  const tasks = backgroundTasks();
  return (body: string, header: string) =>
    app.request(
      `${PUBLIC_URL}/internal/events`,
      { method: "POST", headers: { "content-type": "application/json", [SIGNATURE_HEADER]: header }, body },
      {},
      tasks.context,
    );
};

const uploadedKey = async (): Promise<{ jobId: string; inputKey: string }> => {
  const response = await h.api("/api/upload", {
    method: "POST",
    json: { filename: "q.mp4", preset: "default", size: 100 },
  });
  expect(response.status).toBe(201);
  return response.json();
};

describe("POST /internal/events with an upload queue", () => {
  it("sends the event to the queue as it came (202) and leaves the intake to the consumer", async () => {
    const { queue, sent } = recordingQueue();
    const post = appWith(queue);
    const { jobId, inputKey } = await uploadedKey();
    const event = r2Event(h, inputKey, 100);
    const response = await post(
      JSON.stringify(event),
      await signBody(EVENT_SECRET, JSON.stringify(event), Date.now()),
    );
    expect(response.status).toBe(202);
    expect(await response.json()).toEqual({ kind: "sent-to-queue" });
    expect(sent).toEqual([event]);
    // Not confirmed here: the queue consumer does that when the message arrives.
    expect((await (await h.api(`/api/jobs/${jobId}`)).json()).status).toBe("uploading");
  });

  it("refuses a body that is not an R2 event, and sends nothing", async () => {
    const { queue, sent } = recordingQueue();
    const post = appWith(queue);
    const body = JSON.stringify({ action: "PutObject", object: "x" });
    const response = await post(body, await signBody(EVENT_SECRET, body, Date.now()));
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ code: "invalid-request" });
    expect(sent).toEqual([]);
  });

  it("answers 503 when the send fails, and accepts the same signed request again", async () => {
    const { queue, sent, failNext } = recordingQueue();
    const post = appWith(queue);
    const { inputKey } = await uploadedKey();
    const body = JSON.stringify(r2Event(h, inputKey, 100));
    const header = await signBody(EVENT_SECRET, body, Date.now());
    failNext(1);
    const failed = await post(body, header);
    expect(failed.status).toBe(503);
    expect(await failed.json()).toMatchObject({ code: "unavailable" });
    expect(sent).toEqual([]);
    const retried = await post(body, header);
    expect(retried.status).toBe(202);
    expect(sent).toHaveLength(1);
    // Once accepted, the signature is spent.
    expect((await post(body, header)).status).toBe(409);
  });

  it("refuses an unsigned event before anything is sent", async () => {
    const { queue, sent } = recordingQueue();
    const response = await appWith(queue)("{}", "t=1,v1=00");
    expect(response.status).toBe(401);
    expect(sent).toEqual([]);
  });
});

describe("the queue consumer", () => {
  it("sends an event back with a growing delay while Redis is unreachable, and acks nothing", async () => {
    const down = h.variant({ UPSTASH_REDIS_REST_URL: "http://127.0.0.1:9", REDIS_TIMEOUT_MS: "300" });
    const retried: Record<string, number | undefined> = {};
    const message = (attempts: number) => ({
      id: `m${attempts}`,
      body: r2Event(h, "uploads/job_aaaaaaaaaaaaaaaaaaaaaaaa/in.mp4", 1024),
      attempts,
      ack: () => {
        throw new Error("acked while Redis is down");
      },
      retry: (options?: { readonly delaySeconds?: number }) => {
        retried[`m${attempts}`] = options?.delaySeconds;
      },
    });
    const report = await processEventBatch(down.deps, [message(1), message(3), message(9)]);
    expect(report).toMatchObject({ acked: 0, retried: 3 });
    expect(retried).toEqual({ m1: 10, m3: 40, m9: 300 });
  });
});
