// While a job runs, asks Redis every `intervalMs` whether the worker's claim still stands, independent of ffmpeg's
// progress (which may not move for minutes on a slow encode): a cancelled job's ffmpeg is stopped within a second.
import type { ResultAsync } from "neverthrow";
import type { ClaimCheck } from "../shell/redis/check-job-claim.ts";
import type { Log } from "./worker-log.ts";

export type CheckClaim = () => ResultAsync<ClaimCheck, { readonly kind: string; readonly message: string }>;

/**
 * Calls `onLost` once, with a reason and the job's status now (null: the job is gone), when the claim is gone;
 * answers the function that stops watching.
 */
export const watchClaim = (
  jobId: string,
  check: CheckClaim,
  intervalMs: number,
  onLost: (reason: string, status: string | null) => void,
  log: Log,
): (() => void) => {
  let inFlight = false;
  let stopped = false;
  const timer = setInterval(async () => {
    if (inFlight || stopped) return;
    inFlight = true;
    const checked = await check();
    inFlight = false;
    if (stopped) return;
    // A failed check is not a lost claim: the lease and the job's own commits still fence the worker.
    if (checked.isErr()) return log("claim-check-failed", { jobId, reason: checked.error.message });
    if (checked.value.held) return;
    stop();
    onLost(`the job is ${checked.value.status ?? "gone"}`, checked.value.status);
  }, intervalMs);
  const stop = () => {
    stopped = true;
    clearInterval(timer);
  };
  return stop;
};
