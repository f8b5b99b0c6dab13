// Client webhooks (pure): whether a finished job's webhook is sent, what settles its outbox entry, when an owed one
// is tried again or given up, and the event's stable identity (receivers dedupe on `id`).
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

/** The outbox's schedule for webhooks still owed after the send as the job finished. */
export interface OwedWebhookPolicy {
  /** Given up once owed this long (since the job finished), but never before the outbox has tried it once. */
  readonly giveUpAfterMs: number;
  /** The wait after the first failed attempt; it doubles after each further failure... */
  readonly backoffMs: number;
  /** ...up to this. */
  readonly maxBackoffMs: number;
}

/** An owed webhook as the outbox keeps it: when it was first owed, and how many of its attempts failed. */
export interface OwedWebhookEntry {
  readonly firstOwedAt: number;
  readonly failedAttempts: number;
}

/**
 * Another attempt, or give up: by the entry's own age and attempts only, so a webhook is never dropped because
 * others were ahead of it, nor before it was tried at all.
 */
export const decideOwedWebhook = (
  entry: OwedWebhookEntry,
  now: number,
  policy: Pick<OwedWebhookPolicy, "giveUpAfterMs">,
): "give-up" | "attempt" =>
  entry.failedAttempts >= 1 && now - entry.firstOwedAt > policy.giveUpAfterMs ? "give-up" : "attempt";

/**
 * How long an owed webhook waits after its `failedAttempts`-th failure: exponential backoff with equal jitter,
 * between half and all of min(maxBackoffMs, backoffMs × 2^(failedAttempts - 1)), so entries that failed together
 * spread out. `jitter` is uniform in [0, 1).
 */
export const owedWebhookRetryDelay = (
  failedAttempts: number,
  jitter: number,
  policy: Pick<OwedWebhookPolicy, "backoffMs" | "maxBackoffMs">,
): number => {
  const doublings = Math.min(Math.max(failedAttempts, 1) - 1, 40);
  const raw = Math.min(policy.maxBackoffMs, policy.backoffMs * 2 ** doublings);
  const spread = Math.min(Math.max(jitter, 0), 1);
  return Math.floor(raw / 2 + (raw / 2) * spread);
};

/** The event's envelope fields: one id per job outcome, the same on every resend. */
export const webhookEventIdentity = (job: {
  readonly jobId: string;
  readonly status: JobStatus;
  readonly finishedAt: number | null;
}): { readonly id: string; readonly type: string } => ({
  id: `evt_${job.jobId}_${job.status}_${job.finishedAt ?? 0}`,
  type: `job.${job.status}`,
});
