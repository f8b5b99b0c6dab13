// A worker's report (POST /internal/callbacks, already verified as signed by the machine it names): the same fenced
// transition the worker commits itself in pool mode, so a duplicate is success; in single-job mode it is how the
// result is recorded. A lease token is honoured only from the machine it was issued to.
import { errAsync, okAsync, ResultAsync } from "neverthrow";
import { boundReportedUsage } from "../../../core/bound-reported-usage.ts";
import { usesAnotherMachinesLease } from "../../../core/check-report-sender.ts";
import type { JobCommand } from "../../../core/job-lifecycle/job-commands.ts";
import type { Job } from "../../../core/job-lifecycle/job-state.ts";
import { outputKey } from "../../../core/output-keys.ts";
import { FLY_PRICES_2026, pricePerSecondUsd } from "../../../core/price-machine-time.ts";
import type { CallbackBody, CompletedCallback } from "../../callbacks/callback-body.ts";
import type { TransitionError } from "../../redis/job-store.ts";
import { discardRefusedOutputs } from "../../storage/discard-refused-outputs.ts";
import type { ControlPlaneConfig } from "../config/control-plane-config.ts";
import type { ControlPlaneDeps } from "../config/control-plane-deps.ts";
import type { ApiError } from "../http/api-error.ts";
import { fromStoreError, fromTransitionError } from "../http/store-failures.ts";
import { singleJobGuest } from "../machines/spawn-single-job.ts";

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

/**
 * The usage a completed report records. A single-job worker has no Redis: its report is all there is, and what the
 * job records (and the release charges) is bounded by what its machine can have cost since the claim. A pool
 * worker commits (and releases) itself, so its report repeats what it already recorded.
 */
const recordedUsage = (config: ControlPlaneConfig, body: CompletedCallback, state: Job, at: number) =>
  config.spawnMode === "single-job"
    ? boundReportedUsage(body, {
        usdPerSecond: pricePerSecondUsd(singleJobGuest(state.preset), FLY_PRICES_2026),
        elapsedMs: at - (state.startedAt ?? at),
      })
    : body;

const commandFor =
  (config: ControlPlaneConfig, body: CallbackBody, at: number) =>
  (state: Job): JobCommand => {
    const { leaseToken } = body;
    switch (body.kind) {
      case "progress":
        return { type: "report-progress", leaseToken, percent: body.percent, at };
      case "completed": {
        const { costUsd, machineSeconds } = recordedUsage(config, body, state, at);
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

/** A final report whose job already ended as it says: the report took effect before (a repeat, or the worker's). */
const isDuplicate = (error: TransitionError, body: CallbackBody): boolean => {
  const final = body.kind === "completed" ? "completed" : body.kind === "failed" ? "failed" : null;
  return (
    error.kind === "rejected" &&
    error.rejection.code === "already-terminal" &&
    error.rejection.status === final
  );
};

const noJob = (jobId: string): ApiError => ({ kind: "not-found", message: `no job ${jobId}` });

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
  const load = () => deps.jobs.load(body.jobId).mapErr(fromStoreError);
  return load().andThen((record) => {
    if (record === null) return errAsync(noJob(body.jobId));
    if (usesAnotherMachinesLease(record.job, body)) {
      return errAsync<CallbackOutcome, ApiError>({
        kind: "forbidden",
        message: `job ${body.jobId} runs on another machine: its lease is not ${body.machineId}'s to use`,
      });
    }
    return deps.jobs
      .transitionFrom(record.job, commandFor(deps.config, body, deps.clock()), deps.config.retryPolicy)
      .map((job): CallbackOutcome => ({ job, applied: true }))
      .orElse((error) => {
        if (!isDuplicate(error, body)) {
          return discardIfCancelled(deps, body, error).andThen(() => errAsync(fromTransitionError(error)));
        }
        return load().andThen((again) =>
          again ? okAsync({ job: again.job, applied: false }) : errAsync(noJob(body.jobId)),
        );
      });
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
