// Client webhooks on terminal states: `{id, type, createdAt, data: <job view>}` signed like callbacks
// (TCoder-Signature over t.body with WEBHOOK_SECRET), retried with backoff on network errors, 408, 429 and 5xx.
// At least once: every finished job with a webhook sits in the Redis outbox until a delivery settles it, so one
// whose sender died (or that finished with no callback at all: the sweep failed it) is sent by the cron. A failed
// delivery is logged; it never fails what triggered it. Receivers dedupe on the event's `id`.
import pRetry, { AbortError } from "p-retry";
import { classifyHttpFailure } from "../../../core/classify-http-failure.ts";
import {
  decideWebhookSend,
  settlesOutbox,
  type WebhookOutcome,
  webhookEventIdentity,
} from "../../../core/decide-webhook-delivery.ts";
import type { Job } from "../../../core/job-lifecycle/job-state.ts";
import { isTerminalStatus } from "../../../core/job-status.ts";
import { SIGNATURE_HEADER } from "../../../core/signature-header.ts";
import { signBody } from "../../signing/hmac-signature.ts";
import { webhookToken } from "../callbacks/once-memory.ts";
import type { ControlPlaneDeps } from "../config/control-plane-deps.ts";
import { fetchOutbound } from "../outbound/fetch-outbound.ts";
import { renderJobView, type ViewContext } from "../views/render-job-view.ts";

/** How long a sent webhook is remembered, so duplicate callbacks do not send it again. */
const SENT_MEMORY_MS = 7 * 24 * 3600 * 1000;

/**
 * `now`: as the job finishes (once per outcome across duplicate callbacks, with the configured retries).
 * `owed`: the cron's send from the outbox (one attempt; the entry's own backoff schedules the next).
 */
export type DeliveryMode = "now" | "owed";

export type { WebhookOutcome };

class DeliveryFailure extends Error {}

export const deliverWebhook = async (
  deps: ControlPlaneDeps,
  job: Job,
  webhookUrl: string | null,
  view: ViewContext,
  mode: DeliveryMode = "now",
): Promise<WebhookOutcome> => {
  const outcome = await send(deps, job, webhookUrl, view, mode);
  if (settlesOutbox(outcome) && isTerminalStatus(job.status)) {
    const settled = await deps.outbox.settle(job.jobId);
    // Left in the outbox, it is sent once more by the cron: a duplicate the receiver drops, never a loss.
    if (settled.isErr()) deps.log.warn("webhook.unsettled", { jobId: job.jobId, error: settled.error.kind });
  }
  return outcome;
};

const send = async (
  deps: ControlPlaneDeps,
  job: Job,
  url: string | null,
  view: ViewContext,
  mode: DeliveryMode,
): Promise<WebhookOutcome> => {
  const decision = decideWebhookSend({
    webhookUrl: url,
    status: job.status,
    secret: deps.config.webhook.secret,
  });
  if (decision.kind === "skipped") return decision;
  const { webhookUrl, secret } = decision;
  if (mode === "now") {
    const token = webhookToken(job.jobId, job.status, job.finishedAt);
    const first = await deps.memory.remember(token, SENT_MEMORY_MS);
    if (first.isOk() && !first.value) return { kind: "skipped", reason: "already-sent" };
    // When Redis cannot say, sending twice beats not sending: receivers dedupe on `id`.
  }

  const body = JSON.stringify({
    ...webhookEventIdentity(job),
    createdAt: new Date(deps.clock()).toISOString(),
    data: await renderJobView(deps, job, view),
  });
  const { timeoutMs, retries, minBackoffMs } = deps.config.webhook;
  let attempts = 0;
  let final = false;
  const refuse = (message: string) => {
    final = true;
    return new AbortError(message);
  };
  const attempt = async (): Promise<number> => {
    attempts += 1;
    const signature = await signBody(secret, body, deps.clock());
    const sent = await fetchOutbound(deps, webhookUrl, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        "user-agent": "tcoder-webhooks/1",
        [SIGNATURE_HEADER]: signature,
      },
      body,
      signal: AbortSignal.timeout(timeoutMs),
    });
    if (sent.isErr()) {
      // SSRF refusals are final; network failures are worth another try.
      if (sent.error.kind === "url-not-allowed") throw refuse(sent.error.message);
      throw new DeliveryFailure(sent.error.message);
    }
    const { response } = sent.value;
    await response.body?.cancel().catch(() => undefined);
    if (response.ok) return response.status;
    const failure = classifyHttpFailure(
      { status: response.status, idempotent: true, retryAfter: response.headers.get("retry-after") },
      deps.clock(),
    );
    const message = `the endpoint answered HTTP ${response.status}`;
    throw failure.kind === "retry" ? new DeliveryFailure(message) : refuse(message);
  };
  try {
    const status = await pRetry(attempt, {
      retries: mode === "now" ? retries : 0,
      minTimeout: minBackoffMs,
      maxTimeout: Math.max(minBackoffMs, 30_000),
      randomize: true,
    });
    deps.log.info("webhook.delivered", { jobId: job.jobId, status: job.status, attempts, mode });
    return { kind: "delivered", attempts, status };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    deps.log.warn("webhook.failed", { jobId: job.jobId, status: job.status, attempts, mode, final, message });
    return { kind: "failed", attempts, message, final };
  }
};

/** Loads the job (for its webhook URL and latest state) and sends its webhook if it has finished. */
export const notifyJobOutcome = async (
  deps: ControlPlaneDeps,
  jobId: string,
  view: ViewContext,
): Promise<WebhookOutcome | null> => {
  const record = await deps.jobs.load(jobId);
  if (record.isErr() || record.value === null) {
    deps.log.warn("webhook.job-unreadable", {
      jobId,
      error: record.isErr() ? record.error.kind : "not-found",
    });
    return null;
  }
  return deliverWebhook(deps, record.value.job, record.value.meta.webhookUrl, view);
};
