// How a job reads in the terminal: one status line, its error, and the outputs worth opening (HLS segments and
// variant playlists are counted, not listed: the master playlist reaches them).
import type { JobView } from "../sdk/index.ts";
import { formatBytes } from "./progress-display.ts";

export const jobLine = (job: JobView): string => {
  const cost = job.cost ? `  $${job.cost.usd.toFixed(4)}` : "";
  const progress = job.status === "running" ? `  ${job.progress}%` : "";
  return `${job.jobId}  ${job.status.padEnd(9)}  ${job.preset}${progress}${cost}  ${job.timestamps.createdAt}`;
};

export const jobDetails = (job: JobView): string[] => {
  const lines = [jobLine(job)];
  if (job.error) lines.push(`  error: ${job.error.code}: ${job.error.message}`);
  if (job.cancelReason) lines.push(`  cancelled: ${job.cancelReason}`);
  const shown = job.outputs.filter((o) => o.type !== "hls-segment" && o.type !== "hls-playlist");
  for (const output of shown) {
    const label = output.quality ? `${output.type} ${output.quality}` : output.type;
    lines.push(`  ${label.padEnd(16)} ${formatBytes(output.size).padStart(10)}  ${output.url}`);
  }
  const hidden = job.outputs.length - shown.length;
  if (hidden > 0) lines.push(`  (+ ${hidden} HLS playlists and segments, reached from the master playlist)`);
  return lines;
};

/** The job's reason for not completing, for stderr. */
export const failureLine = (job: JobView): string =>
  job.status === "failed"
    ? `failed: ${job.jobId}: ${job.error ? `${job.error.code}: ${job.error.message}` : "no reason given"}`
    : `${job.status}: ${job.jobId}${job.cancelReason ? `: ${job.cancelReason}` : ""}`;
