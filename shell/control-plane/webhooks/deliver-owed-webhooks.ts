// The cron's webhook step: sends the webhooks still owed (the first sender died or gave up, or there never was one:
// the sweep failed the job), one attempt each per run. Each entry has its own next attempt time: a failure is
// rescheduled on the entry's own backoff (core/decide-webhook-delivery.ts), so endpoints that keep failing never
// hold back anyone else's, and an entry is given up by its own age, never because others were ahead of it.
import { decideOwedWebhook, owedWebhookRetryDelay } from "../../../core/decide-webhook-delivery.ts";
import type { OwedWebhook } from "../../redis/webhook-outbox.ts";
import type { ControlPlaneDeps } from "../config/control-plane-deps.ts";
import { backgroundView, type ViewContext } from "../views/render-job-view.ts";
import { deliverWebhook } from "./deliver-webhook.ts";

/** Owed webhooks taken per cron run, earliest due first; the rest wait a minute. */
export const OWED_BATCH = 25;
/** Sent at once: a Worker holds at most 6 connections open, and Redis needs one. */
export const OWED_CONCURRENCY = 5;
/** A run starts no send after this many WEBHOOK_TIMEOUT_MS, so slow endpoints cannot stall the cron. */
export const OWED_RUN_TIMEOUTS = 3;

export interface OwedWebhooksReport {
  readonly delivered: number;
  /** Left owed: tried again at its next attempt time (or, when the run ran out of time, the next run). */
  readonly retrying: number;
  /** Settled without a delivery: refused for good, no longer deliverable, or given up on. */
  readonly dropped: number;
}

type Outcome = keyof OwedWebhooksReport;

export const deliverOwedWebhooks = async (
  deps: ControlPlaneDeps,
): Promise<OwedWebhooksReport | { readonly error: string }> => {
  const { outboxAfterMs, timeoutMs } = deps.config.webhook;
  const budgetMs = OWED_RUN_TIMEOUTS * timeoutMs;
  // Held past the run's last possible send: only a run that died leaves an entry to come back on its own.
  const holdMs = budgetMs + 2 * timeoutMs;
  const due = await deps.outbox.due(outboxAfterMs, OWED_BATCH, holdMs);
  if (due.isErr()) return { error: due.error.kind };
  const { now, owed } = due.value;
  const view = backgroundView(deps);
  const startedAt = deps.clock();

  const outcomes = await inTurns(owed, OWED_CONCURRENCY, (entry) =>
    deps.clock() - startedAt >= budgetMs ? release(deps, entry) : attemptOwed(deps, entry, now, view),
  );
  const count = (kind: Outcome) => outcomes.filter((o) => o === kind).length;
  return { delivered: count("delivered"), retrying: count("retrying"), dropped: count("dropped") };
};

const attemptOwed = async (
  deps: ControlPlaneDeps,
  entry: OwedWebhook,
  now: number,
  view: ViewContext,
): Promise<Outcome> => {
  const { jobId } = entry;
  const drop = async () => ((await deps.outbox.settle(jobId)).isOk() ? "dropped" : "retrying");
  const policy = deps.config.webhook;
  if (decideOwedWebhook(entry, now, policy) === "give-up") {
    const ageMs = now - entry.firstOwedAt;
    deps.log.warn("webhook.abandoned", { jobId, ageMs, failedAttempts: entry.failedAttempts });
    return drop();
  }
  const record = await deps.jobs.load(jobId);
  // Redis cannot say: the entry's hold brings it back.
  if (record.isErr()) return "retrying";
  // The job record expired or was deleted: nothing left to tell.
  if (record.value === null) return drop();
  const { job, meta } = record.value;
  const outcome = await deliverWebhook(deps, job, meta.webhookUrl, view, "owed");
  if (outcome.kind === "delivered") return "delivered";
  // Anything else final was settled by deliverWebhook; a failure worth repeating waits on its own backoff.
  if (outcome.kind !== "failed" || outcome.final) return "dropped";
  const failedAttempts = entry.failedAttempts + 1;
  const waitMs = owedWebhookRetryDelay(failedAttempts, Math.random(), {
    backoffMs: policy.outboxBackoffMs,
    maxBackoffMs: policy.outboxMaxBackoffMs,
  });
  const rescheduled = await deps.outbox.reschedule(jobId, waitMs, true);
  if (rescheduled.isErr()) deps.log.warn("webhook.unscheduled", { jobId, error: rescheduled.error.kind });
  return "retrying";
};

/** Taken but not tried (the run is out of time): due again at once, no attempt counted. */
const release = async (deps: ControlPlaneDeps, entry: OwedWebhook): Promise<Outcome> => {
  await deps.outbox.reschedule(entry.jobId, 0, false);
  return "retrying";
};

/** `work` over `items`, at most `limit` at a time; results in the items' order. */
const inTurns = async <T, R>(
  items: readonly T[],
  limit: number,
  work: (item: T) => Promise<R>,
): Promise<R[]> => {
  const results: R[] = new Array(items.length);
  let next = 0;
  const lane = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await work(items[i] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
  return results;
};
