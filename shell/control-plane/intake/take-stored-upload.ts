// An object at a job's input key, reported by its storage event or found by the cron's look in storage, taken the
// same way: decide (core/decide-upload-intake.ts) → confirm and enqueue; or delete it (a refused upload cancels its
// job first); or leave it. At-least-once: a repeated or racing take of one upload is a duplicate, not an error.
import { err, ok, type Result, ResultAsync } from "neverthrow";
import { decideUploadIntake, type StoredUpload } from "../../../core/decide-upload-intake.ts";
import type { JobRejectionCode } from "../../../core/job-lifecycle/job-rejection.ts";
import type { JobRecord } from "../../redis/job-record.ts";
import type { TransitionError } from "../../redis/job-store.ts";
import type { ControlPlaneDeps } from "../config/control-plane-deps.ts";

export type IntakeOutcome =
  | { readonly kind: "enqueued"; readonly jobId: string }
  | { readonly kind: "duplicate"; readonly jobId: string }
  /** Nothing to do: not a create, another bucket, not the job's input key, an unknown or finished job. */
  | { readonly kind: "ignored"; readonly reason: string; readonly jobId?: string }
  /** The upload broke a rule (over the size limit, not the declared size): deleted, and the job cancelled. */
  | { readonly kind: "refused"; readonly jobId: string; readonly reason: string }
  /** An upload nobody wants any more (its job was cancelled before it arrived): deleted. */
  | { readonly kind: "discarded"; readonly jobId: string; readonly reason: string };

export type IntakeFailure =
  /** Retrying the same message cannot help: ack it and log. */
  | { readonly kind: "invalid-event"; readonly message: string }
  /** Redis or storage unreachable, or the job contended: retry the message. */
  | { readonly kind: "transient"; readonly message: string };

export const takeStoredUpload = (
  deps: ControlPlaneDeps,
  { job, meta }: JobRecord,
  stored: StoredUpload,
): ResultAsync<IntakeOutcome, IntakeFailure> => {
  const { jobId } = job;
  const policy = deps.config.retryPolicy;
  const decision = decideUploadIntake({
    job,
    declaredSize: meta.upload?.size ?? null,
    stored,
    maxBytes: deps.config.uploads.maxBytes,
  });

  const enqueue = async (): Promise<Result<IntakeOutcome, IntakeFailure>> => {
    const enqueued = await deps.jobs.transition(jobId, { type: "enqueue", at: deps.clock() }, policy);
    if (enqueued.isOk()) return ok({ kind: "enqueued", jobId });
    // Another delivery of the same event (or the cron) enqueued it first.
    if (isRejected(enqueued.error, "invalid-transition")) return ok({ kind: "duplicate", jobId });
    return settled(enqueued.error, jobId);
  };

  const remove = async (outcome: IntakeOutcome): Promise<Result<IntakeOutcome, IntakeFailure>> => {
    const deleted = await deps.inputs.delete(stored.key);
    return deleted.isOk()
      ? ok(outcome)
      : err({ kind: "transient", message: `storage ${deleted.error.kind}: ${deleted.error.message}` });
  };

  const run = async (): Promise<Result<IntakeOutcome, IntakeFailure>> => {
    switch (decision.kind) {
      case "accept": {
        const confirmed = await deps.jobs.transitionFrom(
          job,
          { type: "confirm-upload", size: decision.size, at: deps.clock() },
          policy,
        );
        let status: string;
        if (confirmed.isOk()) status = confirmed.value.status;
        else if (
          confirmed.error.kind === "rejected" &&
          confirmed.error.rejection.code === "already-confirmed"
        ) {
          status = confirmed.error.rejection.status;
        } else return settled(confirmed.error, jobId);
        return status === "queued" ? enqueue() : ok({ kind: "duplicate", jobId });
      }
      case "enqueue":
        return enqueue();
      case "refuse": {
        const { reason } = decision;
        const cancelled = await deps.jobs.transitionFrom(
          job,
          { type: "cancel", reason, at: deps.clock() },
          policy,
        );
        // Cancelled now or just before by someone else: either way the upload is unwanted.
        if (cancelled.isErr() && !isRejected(cancelled.error, "already-terminal")) {
          return settled(cancelled.error, jobId);
        }
        return remove({ kind: "refused", jobId, reason });
      }
      case "discard":
        return remove({ kind: "discarded", jobId, reason: decision.reason });
      case "ignore":
        return ok(
          decision.reason === "already-accepted"
            ? { kind: "duplicate", jobId }
            : { kind: "ignored", reason: decision.reason, jobId },
        );
      default: {
        const unhandled: never = decision;
        throw new Error(`unhandled intake decision ${JSON.stringify(unhandled)}`);
      }
    }
  };
  return new ResultAsync(run());
};

const isRejected = (error: TransitionError, code: JobRejectionCode): boolean =>
  error.kind === "rejected" && error.rejection.code === code;

/** Rejections that mean the upload has nothing left to do (job unknown or finished); anything else is a failure. */
const settled = (error: TransitionError, jobId: string): Result<IntakeOutcome, IntakeFailure> => {
  if (isRejected(error, "not-found")) return ok({ kind: "ignored", reason: "unknown-job", jobId });
  if (isRejected(error, "already-terminal")) return ok({ kind: "ignored", reason: "job-finished", jobId });
  if (error.kind === "rejected") return err({ kind: "invalid-event", message: error.rejection.message });
  return err({ kind: "transient", message: `${error.kind}: ${"message" in error ? error.message : ""}` });
};
