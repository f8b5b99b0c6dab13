// POST /internal/events on the Worker: a relayed storage event goes onto the queue R2 notifications use, so the
// real queue consumer (batching, per-message ack and retry) takes it from there, exactly as in production.
import { errAsync, ResultAsync } from "neverthrow";
import { parseR2Event } from "../../../core/parse-r2-event.ts";
import type { ControlPlaneDeps, EventQueue } from "../config/control-plane-deps.ts";
import type { ApiError } from "../http/api-error.ts";

export interface SentUploadEvent {
  readonly kind: "sent-to-queue";
}

/** Refuses a body that is no R2 event (the consumer would only drop it); a failed send is worth retrying. */
export const sendUploadEvent = (
  deps: ControlPlaneDeps,
  queue: EventQueue,
  body: unknown,
): ResultAsync<SentUploadEvent, ApiError> => {
  const parsed = parseR2Event(body, deps.config.storage.inputBucket);
  if (parsed.isErr()) return errAsync({ kind: "invalid-request", message: parsed.error.message });
  return ResultAsync.fromPromise(
    queue.send(body),
    (error): ApiError => ({
      kind: "unavailable",
      code: "unavailable",
      message: `the event queue refused the message: ${error instanceof Error ? error.message : String(error)}`,
      retryAfterMs: 1000,
    }),
  ).map(() => ({ kind: "sent-to-queue" as const }));
};
