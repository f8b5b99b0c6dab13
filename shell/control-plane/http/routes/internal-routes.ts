// Routes for our own processes, each signed with a key for its purpose: worker callbacks (POST /internal/callbacks,
// with the sending machine's own key) and storage events relayed by local development or a self-hosted relay
// (POST /internal/events, with EVENT_SECRET; off without it): sent to the upload queue where the runtime has one
// (the Worker), else run through the queue consumer's intake here (the Node/Bun server).
import { errAsync, ResultAsync } from "neverthrow";
import { decideReportEffect } from "../../../../core/decide-report-effect.ts";
import { isTerminalStatus } from "../../../../core/job-status.ts";
import { SIGNATURE_HEADER } from "../../../../core/signature-header.ts";
import { claimedMachineId, parseCallbackBody } from "../../../callbacks/callback-body.ts";
import { machineCallbackKeys } from "../../../signing/machine-callback-key.ts";
import { handOffBackgroundTask } from "../../background/hand-off-background-task.ts";
import { handleWorkerCallback } from "../../callbacks/handle-worker-callback.ts";
import { type AcceptedSignature, verifySignedRequest } from "../../callbacks/verify-signed-request.ts";
import { type IntakeOutcome, intakeUploadEvent } from "../../intake/intake-upload-event.ts";
import { type SentUploadEvent, sendUploadEvent } from "../../intake/send-upload-event.ts";
import { type ApiError, storeUnavailable } from "../api-error.ts";
import { type App, defer, errorResponse, type RouteContext, respond, viewContext } from "../route-kit.ts";

/** Runs `work` under an accepted signature; a transient failure forgets it so the sender's retry gets through. */
const underSignature = <T>(
  accepted: AcceptedSignature,
  work: () => ResultAsync<T, ApiError>,
): ResultAsync<T, ApiError> =>
  work().orElse((error) =>
    error.kind === "unavailable"
      ? ResultAsync.fromSafePromise(accepted.forget()).andThen(() => errAsync<T, ApiError>(error))
      : errAsync(error),
  );

export const registerInternalRoutes = (app: App, ctx: RouteContext): void => {
  const { deps } = ctx;

  app.post("/internal/callbacks", async (c) => {
    const text = await c.req.text();
    const view = viewContext(ctx, c);
    const machineId = claimedMachineId(text);
    const keys = machineId === null ? [] : await machineCallbackKeys(deps.config.callbackSecrets, machineId);
    const result = verifySignedRequest(deps, c.req.header(SIGNATURE_HEADER), text, keys).andThen((accepted) =>
      parseCallbackBody(text)
        .mapErr((rejection): ApiError => ({ kind: "invalid-request", message: rejection.message }))
        .asyncAndThen((body) =>
          underSignature(accepted, () => handleWorkerCallback(deps, body)).map((outcome) => ({
            body,
            outcome,
          })),
        ),
    );
    return respond(ctx, result, async ({ body, outcome }) => {
      const { job, applied } = outcome;
      const effect = decideReportEffect({
        spawnMode: deps.config.spawnMode,
        reportKind: body.kind,
        machineId: body.machineId,
        applied,
        recordedCostUsd: job.costUsd,
      });
      if (effect.kind === "release") {
        // Single-job machines have no Redis of their own: the report that finished the job frees their slot (once:
        // a duplicate is not applied), before the answer (one script) so the spawn below can use it. Should it
        // fail, the cron's sweep frees the slot.
        const released = await deps.machines.release(effect.machineId, effect.costUsd, "stopping");
        if (released.isErr())
          deps.log.warn("callback.release-failed", {
            machineId: effect.machineId,
            error: released.error.kind,
          });
      } else if (effect.kind === "heartbeat") {
        defer(ctx, c, Promise.resolve(deps.machines.heartbeat(effect.machineId)));
      }
      if (isTerminalStatus(job.status)) {
        defer(
          ctx,
          c,
          handOffBackgroundTask(deps, { kind: "webhook", jobId: job.jobId, origin: view.origin }),
        );
        defer(ctx, c, handOffBackgroundTask(deps, { kind: "spawn" }));
      }
      return c.json({ jobId: job.jobId, status: job.status, progress: job.progress, applied });
    });
  });

  app.post("/internal/events", async (c) => {
    const text = await c.req.text();
    const { eventSecret } = deps.config;
    if (eventSecret === null) {
      return errorResponse(deps, {
        kind: "not-found",
        message: "storage events are not relayed here (no EVENT_SECRET)",
      });
    }
    const signature = c.req.header(SIGNATURE_HEADER);
    const result = verifySignedRequest(deps, signature, text, [eventSecret]).andThen((accepted) => {
      let event: unknown;
      try {
        event = JSON.parse(text);
      } catch {
        return errAsync<never, ApiError>({ kind: "invalid-json", message: "the event is not valid JSON" });
      }
      const queue = deps.eventQueue;
      return underSignature(
        accepted,
        (): ResultAsync<IntakeOutcome | SentUploadEvent, ApiError> =>
          queue !== null
            ? sendUploadEvent(deps, queue, event)
            : intakeUploadEvent(deps, event).mapErr(
                (failure): ApiError =>
                  failure.kind === "invalid-event"
                    ? { kind: "invalid-request", message: failure.message }
                    : storeUnavailable("the job store could not take the event; try again shortly"),
              ),
      );
    });
    return respond(ctx, result, (outcome) => {
      if (outcome.kind === "sent-to-queue") return c.json(outcome, 202);
      if (outcome.kind === "enqueued") defer(ctx, c, handOffBackgroundTask(deps, { kind: "spawn" }));
      if (outcome.kind === "refused") {
        const { origin } = viewContext(ctx, c);
        defer(ctx, c, handOffBackgroundTask(deps, { kind: "webhook", jobId: outcome.jobId, origin }));
      }
      return c.json(outcome);
    });
  });
};
