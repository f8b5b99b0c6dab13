// A worker's claim loop paced by core/decide-poll-delay.ts, for the idle-cost and pickup-latency benchmarks.
import { setTimeout as sleep } from "node:timers/promises";
import { DEFAULT_POLL_DELAY, decidePollDelay } from "../core/decide-poll-delay.ts";
import type { JobStore } from "../shell/redis/job-store.ts";
import { claimOnce, completeJob } from "./rwos-flow.ts";

export interface PollingWorker {
  /** Resolves with performance.now() at the moment the next claim of `jobId` came back. */
  claimedAt(jobId: string): Promise<number>;
  stop(): Promise<void>;
}

/**
 * Claims until stopped; a claimed job is completed at once. Between claims it waits what decidePollDelay says,
 * with jitter from Math.random, and never longer than a backed-off job's wait the claim reported.
 */
export const startPollingWorker = (store: JobStore, machineId: string): PollingWorker => {
  const abort = new AbortController();
  const waiters = new Map<string, (at: number) => void>();
  const claims = new Map<string, number>();

  const loop = async (): Promise<void> => {
    let emptyPolls = 0;
    let justFinishedJob = false;
    while (!abort.signal.aborted) {
      const outcome = await claimOnce(store, machineId);
      let hintedWaitMs: number | null = null;
      if (outcome.kind === "claimed") {
        const at = performance.now();
        const waiter = waiters.get(outcome.job.jobId);
        if (waiter) waiter(at);
        else claims.set(outcome.job.jobId, at);
        await completeJob(store, outcome);
        justFinishedJob = true;
        emptyPolls = 0;
      } else {
        justFinishedJob = false;
        emptyPolls++;
        hintedWaitMs = outcome.waitMs;
      }
      const decision = decidePollDelay(
        { justFinishedJob, workHinted: false, consecutiveEmptyPolls: emptyPolls, jitter: Math.random() },
        DEFAULT_POLL_DELAY,
      );
      const delayMs = hintedWaitMs === null ? decision.delayMs : Math.min(decision.delayMs, hintedWaitMs);
      if (delayMs > 0) await sleep(delayMs, undefined, { signal: abort.signal }).catch(() => {});
    }
  };
  const running = loop();

  return {
    claimedAt: (jobId) => {
      const seen = claims.get(jobId);
      if (seen !== undefined) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        waiters.set(jobId, resolve);
        running.catch(reject);
      });
    },
    stop: async () => {
      abort.abort();
      await running;
    },
  };
};
