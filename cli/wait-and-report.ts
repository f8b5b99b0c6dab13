// Follows a job to its end on a progress bar, then prints it: its outputs, or its reason for failing (exit 1).
import type { JobView } from "../sdk/index.ts";
import type { CliContext } from "./cli-context.ts";
import { failureLine, jobDetails } from "./print-job.ts";

export const waitAndReport = async (
  ctx: CliContext,
  jobId: string,
  toJson: (job: JobView) => unknown = (job) => job,
): Promise<number> => {
  const bar = ctx.display.bar("transcode", 100);
  let job: JobView;
  try {
    job = await ctx.client.wait(jobId, {
      signal: ctx.signal,
      onProgress: (seen) => bar.update(seen.status === "completed" ? 100 : seen.progress, seen.status),
    });
  } catch (error) {
    bar.stop();
    if (ctx.signal.aborted) {
      ctx.err(`stopped waiting; the job goes on: tcoder status ${jobId}`);
      return 130;
    }
    throw error;
  }
  bar.stop();
  if (ctx.json) ctx.out(JSON.stringify(toJson(job)));
  else for (const line of jobDetails(job)) ctx.out(line);
  if (job.status === "completed") return 0;
  ctx.err(failureLine(job));
  return 1;
};
