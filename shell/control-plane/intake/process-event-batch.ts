// The queue consumer's work, runtime-free: each message through the intake, acked or retried on its own with a
// growing delay (a refused upload's webhook sent at once), then one admission for the batch if anything was enqueued.
// The dead-letter queue's consumer runs the same intake: it is idempotent, and an event that outlived the upload
// queue's retries still gets its job enqueued once Redis is back.
import { eventRetryDelaySeconds } from "../../../core/decide-event-retry.ts";
import type { ControlPlaneDeps } from "../config/control-plane-deps.ts";
import { admitAndSpawn, type SpawnReport } from "../machines/admit-and-spawn.ts";
import { backgroundView } from "../views/render-job-view.ts";
import { notifyJobOutcome } from "../webhooks/deliver-webhook.ts";
import { intakeUploadEvent } from "./intake-upload-event.ts";

/** What the runtime's queue hands us per message (Cloudflare's Message has these). */
export interface EventMessage {
  readonly id: string;
  readonly body: unknown;
  /** Deliveries so far, this one included. */
  readonly attempts: number;
  ack(): void;
  retry(options?: { readonly delaySeconds?: number }): void;
}

export interface BatchReport {
  readonly acked: number;
  readonly retried: number;
  readonly enqueued: number;
  readonly spawn: SpawnReport | null;
}

export const processEventBatch = async (
  deps: ControlPlaneDeps,
  messages: readonly EventMessage[],
): Promise<BatchReport> => {
  const results = await Promise.all(
    messages.map(async (message) => {
      const outcome = await intakeUploadEvent(deps, message.body);
      if (outcome.isOk()) {
        message.ack();
        deps.log.info(`intake.${outcome.value.kind}`, { messageId: message.id, ...outcome.value });
        if (outcome.value.kind === "refused")
          await notifyJobOutcome(deps, outcome.value.jobId, backgroundView(deps));
        return outcome.value.kind === "enqueued" ? "enqueued" : "acked";
      }
      if (outcome.error.kind === "invalid-event") {
        // Redelivering a malformed message cannot fix it.
        message.ack();
        deps.log.warn("intake.invalid-event", { messageId: message.id, message: outcome.error.message });
        return "acked";
      }
      const delaySeconds = eventRetryDelaySeconds(message.attempts);
      message.retry({ delaySeconds });
      deps.log.warn("intake.retry", { messageId: message.id, delaySeconds, message: outcome.error.message });
      return "retried";
    }),
  );
  const enqueued = results.filter((r) => r === "enqueued").length;
  return {
    acked: results.filter((r) => r !== "retried").length,
    retried: results.filter((r) => r === "retried").length,
    enqueued,
    spawn: enqueued > 0 ? await admitAndSpawn(deps) : null,
  };
};
