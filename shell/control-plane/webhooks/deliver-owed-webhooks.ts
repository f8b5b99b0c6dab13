// The cron's webhook step: sends the webhooks still owed WEBHOOK_OUTBOX_AFTER_MS after their job finished (the
// first sender died or gave up, or there never was one: the sweep failed the job), one attempt each, the next cron
// being the retry; drops those older than WEBHOOK_GIVE_UP_AFTER_MS.
import { decideOwedWebhook } from "../../../core/decide-webhook-delivery.ts";
import type { ControlPlaneDeps } from "../config/control-plane-deps.ts";
import { backgroundView } from "../views/render-job-view.ts";
import { deliverWebhook } from "./deliver-webhook.ts";

/** Owed webhooks sent per cron run, at once (each bounded by WEBHOOK_TIMEOUT_MS): the rest wait a minute. */
export const OWED_BATCH = 25;

export interface OwedWebhooksReport {
  readonly delivered: number;
  /** Left owed: the next cron tries again. */
  readonly retrying: number;
  /** Settled without a delivery: refused for good, no longer deliverable, or given up on. */
  readonly dropped: number;
}

export const deliverOwedWebhooks = async (
  deps: ControlPlaneDeps,
): Promise<OwedWebhooksReport | { readonly error: string }> => {
  const { outboxAfterMs, giveUpAfterMs } = deps.config.webhook;
  const due = await deps.outbox.due(outboxAfterMs, OWED_BATCH);
  if (due.isErr()) return { error: due.error.kind };
  const { now, owed } = due.value;
  const view = backgroundView(deps);

  const outcomes = await Promise.all(
    owed.map(async ({ jobId, finishedAt }): Promise<keyof OwedWebhooksReport> => {
      const drop = async () => ((await deps.outbox.settle(jobId)).isOk() ? "dropped" : "retrying");
      if (decideOwedWebhook(finishedAt, now, giveUpAfterMs) === "give-up") {
        deps.log.warn("webhook.abandoned", { jobId, finishedAt, ageMs: now - finishedAt });
        return drop();
      }
      const record = await deps.jobs.load(jobId);
      if (record.isErr()) return "retrying";
      // The job record expired or was deleted: nothing left to tell.
      if (record.value === null) return drop();
      const { job, meta } = record.value;
      const outcome = await deliverWebhook(deps, job, meta.webhookUrl, view, "owed");
      if (outcome.kind === "delivered") return "delivered";
      return outcome.kind === "failed" && !outcome.final ? "retrying" : "dropped";
    }),
  );
  const count = (kind: keyof OwedWebhooksReport) => outcomes.filter((o) => o === kind).length;
  return { delivered: count("delivered"), retrying: count("retrying"), dropped: count("dropped") };
};
