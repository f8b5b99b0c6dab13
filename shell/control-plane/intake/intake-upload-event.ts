// One storage event (an R2 notification, or its local translation): validate → load its job → take the upload
// (take-stored-upload.ts: confirm and enqueue, or refuse, or leave it). At-least-once delivery: a redelivered event
// for a confirmed upload is a duplicate, and an upload confirmed but not yet enqueued is enqueued on redelivery.
import { errAsync, okAsync, type ResultAsync } from "neverthrow";
import { parseR2Event } from "../../../core/parse-r2-event.ts";
import type { ControlPlaneDeps } from "../config/control-plane-deps.ts";
import { type IntakeFailure, type IntakeOutcome, takeStoredUpload } from "./take-stored-upload.ts";

export type { IntakeFailure, IntakeOutcome } from "./take-stored-upload.ts";

export const intakeUploadEvent = (
  deps: ControlPlaneDeps,
  body: unknown,
): ResultAsync<IntakeOutcome, IntakeFailure> => {
  const parsed = parseR2Event(body, deps.config.storage.inputBucket);
  if (parsed.isErr()) return errAsync({ kind: "invalid-event", message: parsed.error.message });
  const event = parsed.value;
  if (event.kind === "ignored") return okAsync({ kind: "ignored", reason: event.reason });
  const { jobId, key, size } = event;
  return deps.jobs
    .load(jobId)
    .mapErr((error): IntakeFailure => ({ kind: "transient", message: `${error.kind}: ${error.message}` }))
    .andThen((record) =>
      record === null
        ? okAsync<IntakeOutcome, IntakeFailure>({ kind: "ignored", reason: "unknown-job", jobId })
        : takeStoredUpload(deps, record, { key, size }),
    );
};
