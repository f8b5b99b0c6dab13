// A worker's report (POST /internal/callbacks, already verified): the same fenced transition the worker commits
// itself in pool mode, so a duplicate is success; in single-job mode it is how the result is recorded.
import { errAsync, okAsync, ResultAsync } from "neverthrow";
import type { JobCommand } from "../../../core/job-lifecycle/job-commands.ts";
import type { Job } from "../../../core/job-lifecycle/job-state.ts";
import { outputKey } from "../../../core/output-keys.ts";
import type { CallbackBody } from "../../callbacks/callback-body.ts";
import type { TransitionError } from "../../redis/job-store.ts";
import { discardRefusedOutputs } from "../../storage/discard-refused-outputs.ts";
import type { ControlPlaneDeps } from "../config/control-plane-deps.ts";
import type { ApiError } from "../http/api-error.ts";
import { fromStoreError, fromTransitionError } from "../http/store-failures.ts";

export interface CallbackOutcome {
  readonly job: Job;
  /** False when the report had already taken effect (the worker committed it, or this is a repeat). */
  readonly applied: boolean;
}

/**
 * Output keys as stored. Pool workers report full keys under outputs/<jobId>/; single-job workers report paths
 * relative to the job's output prefix (their one presigned PUT lands at that prefix), which are joined here.
 */
const storedKey = (jobId: string, preset: Job["preset"], key: string): string =>
  key.startsWith(`outputs/${jobId}/`) ? key : outputKey(jobId, preset, key).unwrapOr(key);

/** A full key inside the job's prefix, or a relative path that cannot climb out of it. */
const isJobOutputKey = (jobId: string, key: string): boolean =>
  key.startsWith(`outputs/${jobId}/`)
    ? !key.split("/").some((segment) => segment === ".." || segment === ".")
    : outputKey(jobId, "default", key).isOk();

const commandFor =
  (body: CallbackBody, at: number) =>
  (state: Job): JobCommand => {
    const { leaseToken } = body;
    switch (body.kind) {
      case "progress":
        return { type: "report-progress", leaseToken, percent: body.percent, at };
      case "completed": {
        const { costUsd, machineSeconds } = body;
        const outputs = body.outputs.map((o) => ({ ...o, key: storedKey(body.jobId, state.preset, o.key) }));
        return { type: "complete", leaseToken, outputs, costUsd, machineSeconds, at };
      }
      case "failed":
        return { type: "fail", leaseToken, error: body.error, at };
      default: {
        const unhandled: never = body;
        throw new Error(`unhandled callback ${JSON.stringify(unhandled)}`);
      }
    }
  };

/** The terminal status a report leads to when it is final, for recognising its duplicate. */
const finalStatus = (body: CallbackBody): Job["status"] | null =>
  body.kind === "completed" ? "completed" : body.kind === "failed" ? "failed" : null;

export const handleWorkerCallback = (
  deps: ControlPlaneDeps,
  body: CallbackBody,
): ResultAsync<CallbackOutcome, ApiError> => {
  if (body.kind === "completed") {
    const foreign = body.outputs.find((output) => !isJobOutputKey(body.jobId, output.key));
    if (foreign) {
      return errAsync({
        kind: "invalid-request",
        message: `outputs: ${foreign.key} is outside the job's prefix`,
      });
    }
  }
  return deps.jobs
    .transition(body.jobId, commandFor(body, deps.clock()), deps.config.retryPolicy)
    .map((job) => ({ job, applied: true }))
    .orElse((error) => {
      const duplicate =
        error.kind === "rejected" &&
        error.rejection.code === "already-terminal" &&
        error.rejection.status === finalStatus(body);
      if (!duplicate)
        return discardIfCancelled(deps, body, error).andThen(() => errAsync(fromTransitionError(error)));
      return deps.jobs
        .load(body.jobId)
        .mapErr(fromStoreError)
        .andThen((record) =>
          record
            ? okAsync({ job: record.job, applied: false })
            : errAsync<CallbackOutcome, ApiError>({ kind: "not-found", message: `no job ${body.jobId}` }),
        );
    });
};

/** A completed report refused because the job was cancelled first: the outputs it wrote are deleted (the cancel won). */
const discardIfCancelled = (
  deps: ControlPlaneDeps,
  body: CallbackBody,
  error: TransitionError,
): ResultAsync<void, never> => {
  if (body.kind !== "completed" || error.kind !== "rejected") return okAsync(undefined);
  const discarding = discardRefusedOutputs(deps.outputs, body.jobId, error.rejection).then((discarded) => {
    if ("error" in discarded) deps.log.warn("callback.discard-failed", { jobId: body.jobId, ...discarded });
  });
  return ResultAsync.fromSafePromise(discarding);
};
