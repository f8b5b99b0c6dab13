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
import { deliverOwedWebhooks } from "../../shell/control-plane/webhooks/deliver-owed-webhooks.ts";
import { notifyJobOutcome } from "../../shell/control-plane/webhooks/deliver-webhook.ts";
import { verifyBody } from "../../shell/signing/hmac-signature.ts";
import { redisClock } from "../support/redis-clock.ts";
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
  /** When it arrived (ms). */
  readonly at: number;
}

/**
 * A client's webhook endpoint: records every POST; answers each path's scripted statuses, then 204. Paths under
 * /hang/ never answer (the sender's timeout ends them).
 */
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
      const signature = req.headers[SIGNATURE_HEADER.toLowerCase()] as string;
      deliveries.push({ path, body, signature, at: Date.now() });
      if (path.startsWith("/hang/")) return;
      res.writeHead(scripted.get(path)?.shift() ?? 204).end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
});
afterAll(
  () =>
    new Promise<void>((resolve) => {
      receiver.close(() => resolve());
      receiver.closeAllConnections();
    }),
);

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

/** Every owed webhook: fresh in the outbox, or taken by the cron and scheduled for its next attempt. */
const owed = async (h: Harness) => [
  ...(await h.redis.zrange(keysOf(h).webhookOutbox, 0, -1)),
  ...(await h.redis.zrange(keysOf(h).webhookRetry, 0, -1)),
];

/** Waits until Redis's clock reaches the earliest owed entry's next attempt (at once when a fresh one waits). */
const untilNextDue = async (h: Harness) => {
  if ((await h.redis.zcard(keysOf(h).webhookOutbox)) > 0) return;
  const [, score] = await h.redis.zrange(keysOf(h).webhookRetry, 0, 0, "WITHSCORES");
  if (score !== undefined) await redisClock(h.redis).waitPast(Number(score) - 1);
};

/** Waits until Redis's clock reaches a taken entry's next attempt. */
const untilDue = async (h: Harness, jobId: string) => {
  const score = await h.redis.zscore(keysOf(h).webhookRetry, jobId);
  if (score !== null) await redisClock(h.redis).waitPast(Number(score) - 1);
};

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
    const h = await start({ WEBHOOK_RETRIES: "0", WEBHOOK_OUTBOX_BACKOFF_MS: "1000" });
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
    // Not due again before its backoff (0.5 to 1 s) is over.
    const next = Number(await h.redis.zscore(keysOf(h).webhookRetry, flaky.jobId));
    expect(next).toBeGreaterThan(await redisClock(h.redis).now());
    await untilDue(h, flaky.jobId);
    expect((await runCron(h.deps)).webhooks).toEqual({ delivered: 1, retrying: 0, dropped: 0 });
    expect(await owed(h)).toEqual([]);

    expect(sentTo(down).map((d) => d.body)).toHaveLength(3);
    // Every attempt carries the same event id, so the receiver can tell a resend from a new event.
    expect(new Set(sentTo(down).map((d) => JSON.parse(d.body).id)).size).toBe(1);
    expect(sentTo(gone)).toHaveLength(1);
  });

  it("waits WEBHOOK_OUTBOX_AFTER_MS before taking over, and gives up on an old webhook only once it was tried", async () => {
    const h = await start({ WEBHOOK_OUTBOX_AFTER_MS: "600000", WEBHOOK_OUTBOX_BACKOFF_MS: "50" });
    const fresh = `/fresh/${nonce()}`;
    const ancient = `/ancient/${nonce()}`;
    scripted.set(ancient, [500]);
    const recent = await runningJob(h, fresh);
    const old = await runningJob(h, ancient);
    await completeInRedis(h, recent);
    await completeInRedis(h, old);
    // As if `old` had finished two days ago and its send as it finished had failed.
    const twoDaysAgo = (await h.redis.zscore(keysOf(h).webhookOutbox, old.jobId)) as string;
    await h.redis.zadd(keysOf(h).webhookOutbox, Number(twoDaysAgo) - 2 * 86_400_000, old.jobId);

    // Never dropped untried, however old: one attempt (it fails), then it waits on its backoff.
    expect((await runCron(h.deps)).webhooks).toEqual({ delivered: 0, retrying: 1, dropped: 0 });
    await untilDue(h, old.jobId);
    expect((await runCron(h.deps)).webhooks).toEqual({ delivered: 0, retrying: 0, dropped: 1 });
    expect(await owed(h)).toEqual([recent.jobId]);
    const abandoned = h.logs.find((l) => l.event === "webhook.abandoned" && l.fields.jobId === old.jobId);
    expect(abandoned?.fields).toMatchObject({ failedAttempts: 1 });
    expect(sentTo(fresh)).toHaveLength(0);
    expect(sentTo(ancient)).toHaveLength(1);
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

describe("owed webhooks, each on its own schedule", () => {
  /** Small backoffs, so schedules play out in seconds: 200 ms doubling to at most 800 ms, with equal jitter. */
  const BACKOFF = { WEBHOOK_OUTBOX_BACKOFF_MS: "200", WEBHOOK_OUTBOX_MAX_BACKOFF_MS: "800" };
  /** Each job is claimed by a machine of its own. */
  const MACHINES = { MAX_MACHINES: "64" };
  /** The wait after an endpoint's n-th failed attempt lies in [raw / 2, raw], raw = min(800, 200 × 2^(n-1)). */
  const waitBounds = (n: number) => {
    const raw = Math.min(800, 200 * 2 ** (n - 1));
    return { min: raw / 2, max: raw };
  };

  interface Tracked {
    readonly path: string;
    readonly jobId: string;
  }

  /**
   * One cron webhook step, checking the schedule it leaves: every endpoint it tried and that is still owed has
   * its next attempt within the backoff bounds of its own failure count, measured on Redis's clock.
   */
  const runStep = async (h: Harness, runner: Harness, tracked: readonly Tracked[]) => {
    const clock = redisClock(h.redis);
    const tries = new Map(tracked.map((t) => [t.jobId, sentTo(t.path).length]));
    const before = await clock.now();
    const report = await deliverOwedWebhooks(runner.deps);
    const after = await clock.now();
    for (const t of tracked) {
      const attempts = sentTo(t.path).length;
      if (attempts === tries.get(t.jobId)) continue;
      const next = await h.redis.zscore(keysOf(h).webhookRetry, t.jobId);
      if (next === null) continue; // delivered or given up
      const { min, max } = waitBounds(attempts);
      expect(Number(next), `${t.path} after attempt ${attempts}`).toBeGreaterThanOrEqual(before + min);
      expect(Number(next), `${t.path} after attempt ${attempts}`).toBeLessThanOrEqual(after + max);
    }
    return { report, startedAt: before };
  };

  it("30 endpoints that always fail cannot hold back one that recovers; each is retried on its own backoff and given up at the end", async () => {
    const h = await start({ WEBHOOK_RETRIES: "0", ...BACKOFF, ...MACHINES });
    const firstFinished = Date.now();
    const failing: Tracked[] = [];
    for (let i = 0; i < 30; i++) {
      const path = `/always-500/${nonce()}`;
      scripted.set(
        path,
        Array.from({ length: 100 }, () => 500),
      );
      const job = await runningJob(h, path);
      await completeInRedis(h, job);
      failing.push({ path, jobId: job.jobId });
    }
    // The newest owed webhook, behind 30 older ones: its endpoint fails once, then recovers.
    const recovering = `/recovers/${nonce()}`;
    scripted.set(recovering, [500]);
    const late = await runningJob(h, recovering);
    await completeInRedis(h, late);
    const tracked = [...failing, { path: recovering, jobId: late.jobId }];

    const runs: { startedAt: number; triedLate: number }[] = [];
    let retryAt = Number.NaN;
    while (sentTo(recovering).length < 2 && runs.length < 20) {
      await untilNextDue(h);
      const { startedAt } = await runStep(h, h, tracked);
      runs.push({ startedAt, triedLate: sentTo(recovering).length });
      if (Number.isNaN(retryAt) && sentTo(recovering).length === 1) {
        retryAt = Number(await h.redis.zscore(keysOf(h).webhookRetry, late.jobId));
      }
    }
    // Delivered on its second attempt, one backoff step after its first. Runs take the 25 entries due first: the
    // fresh ones before any retry, so its first attempt came by the second run; and once its step was over, at most
    // the 30 others could be due ahead of it, so its retry came in one of the next two runs.
    expect(sentTo(recovering)).toHaveLength(2);
    await expectSignedEvent(sentTo(recovering)[1], "job.completed", late.jobId);
    const firstTry = runs.findIndex((run) => run.triedLate === 1);
    expect(firstTry).toBeLessThanOrEqual(1);
    const delivering = runs.findIndex((run) => run.triedLate === 2);
    const dueRuns = runs.slice(firstTry + 1, delivering + 1).filter((run) => run.startedAt >= retryAt);
    expect(dueRuns.length).toBeGreaterThanOrEqual(1);
    expect(dueRuns.length).toBeLessThanOrEqual(2);
    expect(await owed(h)).not.toContain(late.jobId);
    expect(failing.every((f) => sentTo(f.path).length >= 1)).toBe(true);

    // Then the failing ones play out their own schedules until they are old enough to give up on (give-up age:
    // 2.5 s past now, so each has a few more attempts).
    const giveUp = h.variant({ WEBHOOK_GIVE_UP_AFTER_MS: String(Date.now() - firstFinished + 2500) });
    for (let more = 0; (await owed(h)).length > 0 && more < 1000; more++) {
      await untilNextDue(h);
      await runStep(h, giveUp, failing);
    }
    expect(await owed(h)).toEqual([]);
    const abandoned = giveUp.logs.filter((line) => line.event === "webhook.abandoned");
    expect(abandoned.map((line) => line.fields.jobId).sort()).toEqual(failing.map((f) => f.jobId).sort());
    for (const f of failing) expect(sentTo(f.path).length, f.path).toBeGreaterThanOrEqual(3);
    expect(await h.redis.exists(keysOf(h).webhookRetry, keysOf(h).webhookOwed)).toBe(0);
  });

  it("holds a taken entry from other runs, and a send that settled it meanwhile is not undone by a reschedule", async () => {
    const h = await start(BACKOFF);
    const path = `/raced/${nonce()}`;
    const job = await runningJob(h, path);
    await completeInRedis(h, job);
    const taken = (await h.deps.outbox.due(0, 25, 60_000))._unsafeUnwrap();
    expect(taken.owed).toEqual([{ jobId: job.jobId, firstOwedAt: expect.any(Number), failedAttempts: 0 }]);
    // A concurrent run finds nothing due: the entry is held while it is being sent.
    expect((await h.deps.outbox.due(0, 25, 60_000))._unsafeUnwrap().owed).toEqual([]);
    // Meanwhile a duplicate callback's send delivers it and settles the entry: the failed attempt's reschedule
    // must not bring it back.
    (await h.deps.outbox.settle(job.jobId))._unsafeUnwrap();
    expect((await h.deps.outbox.reschedule(job.jobId, 0, true))._unsafeUnwrap()).toEqual({
      rescheduled: false,
      failedAttempts: 0,
    });
    expect(await owed(h)).toEqual([]);
    expect(await h.redis.exists(keysOf(h).webhookOwed)).toBe(0);
  });

  it("a run sends 5 at a time and starts none after 3 × WEBHOOK_TIMEOUT_MS: hanging endpoints cannot stall it", async () => {
    const h = await start({ WEBHOOK_TIMEOUT_MS: "300", ...BACKOFF, ...MACHINES });
    const hanging: Tracked[] = [];
    for (let i = 0; i < 20; i++) {
      const path = `/hang/${nonce()}`;
      const job = await runningJob(h, path);
      await completeInRedis(h, job);
      hanging.push({ path, jobId: job.jobId });
    }
    expect(await deliverOwedWebhooks(h.deps)).toEqual({ delivered: 0, retrying: 20, dropped: 0 });
    const tried = hanging.filter((t) => sentTo(t.path).length > 0);
    // Three rounds of five at most, each ended by the timeout; the rest were not tried and are due at once.
    expect(tried.length).toBeGreaterThanOrEqual(5);
    expect(tried.length).toBeLessThanOrEqual(15);
    const now = await redisClock(h.redis).now();
    for (const t of hanging.filter((x) => sentTo(x.path).length === 0)) {
      expect(Number(await h.redis.zscore(keysOf(h).webhookRetry, t.jobId))).toBeLessThanOrEqual(now);
      expect(await h.redis.hget(keysOf(h).webhookOwed, `${t.jobId}:failed`)).toBeNull();
    }
  });
});
