// client.wait: polls a job until it is completed, failed or cancelled, backing off while nothing changes and
// honouring Retry-After; a passing outage (503, network) is waited out, up to a limit.
import { decideWaitDelay } from "../core/decide-wait-delay.ts";
import { isTerminalStatus } from "../core/job-status.ts";
import { type JobView, JobViewSchema } from "../shell/control-plane/http/api-schemas.ts";
import { abortableDelay } from "./abortable-delay.ts";
import type { ApiCaller } from "./api-caller.ts";
import { isRetryable } from "./send-request.ts";
import { TcoderError } from "./tcoder-error.ts";

export interface WaitOptions {
  /** Each change of status or progress. */
  readonly onProgress?: (job: JobView) => void;
  readonly signal?: AbortSignal;
  /** Failed polls in a row before giving up (default 30: minutes of outage at the longest delay). */
  readonly maxFailures?: number;
}

export const waitForJob = async (
  api: ApiCaller,
  jobId: string,
  { onProgress, signal, maxFailures = 30 }: WaitOptions = {},
): Promise<JobView> => {
  let last: string | null = null;
  let unchangedPolls = 0;
  let failures = 0;
  for (;;) {
    let retryAfterMs: number | null = null;
    try {
      const job = await api.call({
        method: "GET",
        path: `/api/jobs/${encodeURIComponent(jobId)}`,
        schema: JobViewSchema,
        signal,
        // The loop is the retry: one attempt per poll.
        idempotent: false,
      });
      failures = 0;
      const seen = `${job.status}:${job.progress}`;
      if (seen !== last) {
        last = seen;
        unchangedPolls = 0;
        onProgress?.(job);
      } else {
        unchangedPolls += 1;
      }
      if (isTerminalStatus(job.status)) return job;
    } catch (error) {
      if (!isRetryable(error) || ++failures > maxFailures) throw error;
      if (error instanceof TcoderError && error.retryAfter !== undefined)
        retryAfterMs = error.retryAfter * 1000;
      unchangedPolls += 1;
    }
    await abortableDelay(decideWaitDelay({ unchangedPolls, retryAfterMs, jitter: Math.random() }), signal);
  }
};
