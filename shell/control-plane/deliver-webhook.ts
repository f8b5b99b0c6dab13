// Client webhooks on terminal states: `{id, type, createdAt, data: <job view>}` signed like callbacks
// (TCoder-Signature over t.body with WEBHOOK_SECRET), sent once per job outcome, retried with backoff on
// network errors, 408, 429 and 5xx. A failed delivery is logged; it never fails what triggered it.
import pRetry, { AbortError } from "p-retry";
import { classifyHttpFailure } from "../../core/classify-http-failure.ts";
import type { Job } from "../../core/job-lifecycle/job-state.ts";
import { isTerminalStatus } from "../../core/job-status.ts";
import { SIGNATURE_HEADER } from "../../core/signature-header.ts";
import { signBody } from "../signing/hmac-signature.ts";
import type { ControlPlaneDeps } from "./control-plane-deps.ts";
import { fetchOutbound } from "./fetch-outbound.ts";
import { webhookToken } from "./once-memory.ts";
import { renderJobView, type ViewContext } from "./render-job-view.ts";

/** How long a sent webhook is remembered, so duplicate callbacks do not send it again. */
const SENT_MEMORY_MS = 7 * 24 * 3600 * 1000;

export type WebhookOutcome =
  | { readonly kind: "delivered"; readonly attempts: number; readonly status: number }
  | {
      readonly kind: "skipped";
      readonly reason: "no-webhook" | "not-terminal" | "already-sent" | "not-configured";
    }
  | { readonly kind: "failed"; readonly attempts: number; readonly message: string };

class DeliveryFailure extends Error {}

export const deliverWebhook = async (
  deps: ControlPlaneDeps,
  job: Job,
  webhookUrl: string | null,
  view: ViewContext,
): Promise<WebhookOutcome> => {
  const secret = deps.config.webhook.secret;
  if (webhookUrl === null) return { kind: "skipped", reason: "no-webhook" };
  if (!isTerminalStatus(job.status)) return { kind: "skipped", reason: "not-terminal" };
  if (secret === null) return { kind: "skipped", reason: "not-configured" };
  const token = webhookToken(job.jobId, job.status, job.finishedAt);
  const first = await deps.memory.remember(token, SENT_MEMORY_MS);
  if (first.isOk() && !first.value) return { kind: "skipped", reason: "already-sent" };
  // When Redis cannot say, sending twice beats not sending: receivers dedupe on `id`.

  const body = JSON.stringify({
    id: `evt_${job.jobId}_${job.status}_${job.finishedAt ?? 0}`,
    type: `job.${job.status}`,
    createdAt: new Date(deps.clock()).toISOString(),
    data: await renderJobView(deps, job, view),
  });
  const { timeoutMs, retries, minBackoffMs } = deps.config.webhook;
  let attempts = 0;
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
      if (sent.error.kind === "url-not-allowed") throw new AbortError(sent.error.message);
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
    throw failure.kind === "retry" ? new DeliveryFailure(message) : new AbortError(message);
  };
  try {
    const status = await pRetry(attempt, {
      retries,
      minTimeout: minBackoffMs,
      maxTimeout: Math.max(minBackoffMs, 30_000),
      randomize: true,
    });
    deps.log.info("webhook.delivered", { jobId: job.jobId, status: job.status, attempts });
    return { kind: "delivered", attempts, status };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    deps.log.warn("webhook.failed", { jobId: job.jobId, status: job.status, attempts, message });
    return { kind: "failed", attempts, message };
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
