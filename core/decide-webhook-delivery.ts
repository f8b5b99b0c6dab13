// Client webhooks (pure): whether a finished job's webhook is sent, what settles its outbox entry, when an owed one
// is given up, and the event's stable identity (receivers dedupe on `id`).
import { isTerminalStatus, type JobStatus } from "./job-status.ts";

export type WebhookOutcome =
  | { readonly kind: "delivered"; readonly attempts: number; readonly status: number }
  | {
      readonly kind: "skipped";
      readonly reason: "no-webhook" | "not-terminal" | "already-sent" | "not-configured";
    }
  /** `final`: the endpoint refused it for good (a 4xx, a forbidden address); else the outbox tries again later. */
  | { readonly kind: "failed"; readonly attempts: number; readonly message: string; readonly final: boolean };

export type WebhookSkip = Extract<WebhookOutcome, { readonly kind: "skipped" }>;

/** A webhook is sent for a finished job that named a URL, when this deployment has a webhook secret. */
export const decideWebhookSend = <Secret>(facts: {
  readonly webhookUrl: string | null;
  readonly status: JobStatus;
  readonly secret: Secret | null;
}): { readonly kind: "send"; readonly webhookUrl: string; readonly secret: Secret } | WebhookSkip => {
  const { webhookUrl, secret } = facts;
  if (webhookUrl === null) return { kind: "skipped", reason: "no-webhook" };
  if (!isTerminalStatus(facts.status)) return { kind: "skipped", reason: "not-terminal" };
  if (secret === null) return { kind: "skipped", reason: "not-configured" };
  return { kind: "send", webhookUrl, secret };
};

/** Whether the outbox entry is done with: anything but a transient failure or another sender's turn. */
export const settlesOutbox = (outcome: WebhookOutcome): boolean =>
  outcome.kind === "delivered" ||
  (outcome.kind === "failed" && outcome.final) ||
  (outcome.kind === "skipped" && outcome.reason !== "already-sent");

/** An owed webhook older than the give-up age is dropped unsent; a younger one gets another attempt. */
export const decideOwedWebhook = (
  finishedAt: number,
  now: number,
  giveUpAfterMs: number,
): "give-up" | "attempt" => (now - finishedAt > giveUpAfterMs ? "give-up" : "attempt");

/** The event's envelope fields: one id per job outcome, the same on every resend. */
export const webhookEventIdentity = (job: {
  readonly jobId: string;
  readonly status: JobStatus;
  readonly finishedAt: number | null;
}): { readonly id: string; readonly type: string } => ({
  id: `evt_${job.jobId}_${job.status}_${job.finishedAt ?? 0}`,
  type: `job.${job.status}`,
});
