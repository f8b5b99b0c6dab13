// One storage event (an R2 notification, or its local translation): validate → confirm the upload → enqueue.
// At-least-once delivery: a redelivered event for a confirmed upload is a duplicate, not an error, and an upload
// confirmed but not yet enqueued (a crash between the two steps) is enqueued on redelivery.
import { err, errAsync, ok, okAsync, type Result, ResultAsync } from "neverthrow";
import type { JobCommand } from "../../../core/job-lifecycle/job-commands.ts";
import type { JobRejectionCode } from "../../../core/job-lifecycle/job-rejection.ts";
import { parseR2Event } from "../../../core/parse-r2-event.ts";
import type { TransitionError } from "../../redis/job-store.ts";
import type { ControlPlaneDeps } from "../config/control-plane-deps.ts";

export type IntakeOutcome =
  | { readonly kind: "enqueued"; readonly jobId: string }
  | { readonly kind: "duplicate"; readonly jobId: string }
  /** Nothing to do: not a create, another bucket, not an upload key, an unknown or finished job. */
  | { readonly kind: "ignored"; readonly reason: string; readonly jobId?: string }
  /** The upload broke a rule (over the size limit): the job was cancelled. */
  | { readonly kind: "refused"; readonly jobId: string; readonly reason: string };

export type IntakeFailure =
  /** Retrying the same message cannot help: ack it and log. */
  | { readonly kind: "invalid-event"; readonly message: string }
  /** Redis unreachable or contended: retry the message. */
  | { readonly kind: "transient"; readonly message: string };

export const intakeUploadEvent = (
  deps: ControlPlaneDeps,
  body: unknown,
): ResultAsync<IntakeOutcome, IntakeFailure> => {
  const parsed = parseR2Event(body, deps.config.storage.inputBucket);
  if (parsed.isErr()) return errAsync({ kind: "invalid-event", message: parsed.error.message });
  const event = parsed.value;
  if (event.kind === "ignored") return okAsync({ kind: "ignored", reason: event.reason });
  const { jobId, size } = event;
  const { retryPolicy, uploads } = deps.config;
  const transition = (command: JobCommand) => deps.jobs.transition(jobId, command, retryPolicy);

  const run = async (): Promise<Result<IntakeOutcome, IntakeFailure>> => {
    if (size > uploads.maxBytes) {
      const reason = `the upload is ${size} bytes; the limit is ${uploads.maxBytes}`;
      const cancelled = await transition({ type: "cancel", reason, at: deps.clock() });
      return cancelled.isOk() ? ok({ kind: "refused", jobId, reason }) : settled(cancelled.error, jobId);
    }
    const confirmed = await transition({ type: "confirm-upload", size, at: deps.clock() });
    let status: string;
    if (confirmed.isOk()) status = confirmed.value.status;
    else if (confirmed.error.kind === "rejected" && confirmed.error.rejection.code === "already-confirmed") {
      status = confirmed.error.rejection.status;
    } else return settled(confirmed.error, jobId);
    if (status !== "queued") return ok({ kind: "duplicate", jobId });

    const enqueued = await transition({ type: "enqueue", at: deps.clock() });
    if (enqueued.isOk()) return ok({ kind: "enqueued", jobId });
    // Another delivery of the same event enqueued it first.
    if (isRejected(enqueued.error, "invalid-transition")) return ok({ kind: "duplicate", jobId });
    return settled(enqueued.error, jobId);
  };
  return new ResultAsync(run());
};

const isRejected = (error: TransitionError, code: JobRejectionCode): boolean =>
  error.kind === "rejected" && error.rejection.code === code;

/** Rejections that mean the event has nothing left to do (job unknown or finished); anything else is a failure. */
const settled = (error: TransitionError, jobId: string): Result<IntakeOutcome, IntakeFailure> => {
  if (isRejected(error, "not-found")) return ok({ kind: "ignored", reason: "unknown-job", jobId });
  if (isRejected(error, "already-terminal")) return ok({ kind: "ignored", reason: "job-finished", jobId });
  if (error.kind === "rejected") return err({ kind: "invalid-event", message: error.rejection.message });
  return err({ kind: "transient", message: `${error.kind}: ${"message" in error ? error.message : ""}` });
};
