// A claimed job as its worker sees it: the latest state, and every transition (progress, then complete or fail)
// committed one at a time through the job store, fenced by the claim's lease token.
import type { JobRetryPolicy } from "../core/decide-job-retry.ts";
import { DEFAULT_PROGRESS_THROTTLE, shouldReportProgress } from "../core/ffmpeg/parse-ffmpeg-progress.ts";
import type { JobCommand } from "../core/job-lifecycle/job-commands.ts";
import type { Job } from "../core/job-lifecycle/job-state.ts";
import type { JobStore, TransitionError } from "../shell/redis/job-store.ts";
import type { Log } from "./worker-log.ts";

export interface FencedJobDeps {
  readonly jobs: Pick<JobStore, "transitionFrom">;
  readonly policy: JobRetryPolicy;
  readonly clock: () => number;
  readonly log: Log;
  /** The lease is no longer ours (swept, cancelled, completed elsewhere): stop working on the job. */
  readonly onFencedOut: (reason: string, error: TransitionError) => void;
}

export interface FencedJob {
  /** Throttled; fire and forget (a failed progress write is logged, never fatal). */
  progress(percent: number): void;
  /** Waits for pending progress writes, then commits the final transition. */
  finish(
    command: (leaseToken: string, at: number) => JobCommand,
  ): Promise<{ ok: true; job: Job } | FinishError>;
}

export type FinishError = { ok: false; error: TransitionError };

const FENCED_OUT = new Set(["stale-lease", "already-terminal", "not-found"]);

export const isFencedOut = (error: TransitionError): boolean =>
  error.kind === "rejected" && FENCED_OUT.has(error.rejection.code);

const describe = (error: TransitionError): string =>
  error.kind === "rejected"
    ? `${error.rejection.code}: ${error.rejection.message}`
    : `${error.kind}: ${error.message}`;

export const fencedJob = (claimed: Job, deps: FencedJobDeps): FencedJob => {
  const leaseToken = claimed.leaseToken;
  if (leaseToken === null) throw new Error(`job ${claimed.jobId} was claimed without a lease token`);
  let current = claimed;
  let queue: Promise<unknown> = Promise.resolve();
  let last: { percent: number; at: number } | null = null;

  const commit = async (command: JobCommand) => {
    const result = await deps.jobs.transitionFrom(current, command, deps.policy);
    if (result.isOk()) current = result.value;
    return result;
  };

  return {
    progress(percent) {
      const now = deps.clock();
      if (!shouldReportProgress({ percent, now, last }, DEFAULT_PROGRESS_THROTTLE)) return;
      last = { percent, at: now };
      queue = queue.then(async () => {
        const result = await commit({ type: "report-progress", leaseToken, percent, at: deps.clock() });
        if (result.isOk()) return;
        if (isFencedOut(result.error)) deps.onFencedOut(describe(result.error), result.error);
        else if (
          !(result.error.kind === "rejected" && result.error.rejection.code === "progress-regressed")
        ) {
          deps.log("progress-not-saved", { jobId: claimed.jobId, percent, reason: describe(result.error) });
        }
      });
    },
    async finish(command) {
      await queue;
      const result = await commit(command(leaseToken, deps.clock()));
      return result.isOk() ? { ok: true, job: result.value } : { ok: false, error: result.error };
    },
  };
};

export const describeTransitionError = describe;
