// Scores each video output against its source: the core planned the SSIM runs (plan.quality); this runs them one
// after another. A check that fails or runs out of time leaves a null score with its reason: quality is reported,
// never fatal to the job.
import { parseSsimSummary, type QualityCheck } from "../core/ffmpeg/plan-quality-check.ts";
import { readableStderr } from "../core/ffmpeg/readable-stderr.ts";
import type { OnRun, QualityScore } from "../core/job-record.ts";
import { describeExit, runTool, type ToolRun } from "./run-tool.ts";

const KILL_GRACE_MS = 2_000;

/** Why a finished check gave no score, or undefined when it gave one. */
const whyNoScore = (run: ToolRun, ssim: number | null): string | undefined => {
  if (run.stoppedBy !== null) return `stopped (${run.stoppedBy})`;
  if (run.exitCode !== 0) return `ffmpeg ${describeExit(run)}: ${readableStderr(run.stderrTail.slice(-3))}`;
  return ssim === null ? "ffmpeg printed no SSIM summary" : undefined;
};

export const checkQuality = async (
  ffmpegPath: string,
  checks: readonly QualityCheck[],
  clock: () => number,
  options: { readonly signal?: AbortSignal; readonly onRun?: OnRun } = {},
): Promise<readonly QualityScore[]> => {
  const { signal, onRun } = options;
  const scores: QualityScore[] = [];
  for (const check of checks) {
    if (signal?.aborted) break;
    const started = clock();
    const ran = await runTool([ffmpegPath, ...check.argv], {
      timeLimitMs: check.timeLimitMs,
      killGraceMs: KILL_GRACE_MS,
      ...(signal !== undefined ? { signal } : {}),
      // The summary is among the last lines; the stream listing ffmpeg prints at info level comes first.
      stderrLines: 40,
      ...(onRun !== undefined ? { record: { purpose: "quality", onRun } } : {}),
    });
    const wallMs = clock() - started;
    const ssim = ran.ok && ran.run.exitCode === 0 ? parseSsimSummary(ran.run.stderrTail.join("\n")) : null;
    const error = ran.ok ? whyNoScore(ran.run, ssim) : ran.error.message;
    scores.push({
      path: check.target.path,
      ...(check.target.quality !== undefined ? { quality: check.target.quality } : {}),
      width: check.target.width,
      height: check.target.height,
      ssim,
      sampleTimes: [...check.sampleTimes],
      framesPerWindow: check.framesPerWindow,
      wallMs,
      ...(error !== undefined ? { error } : {}),
    });
  }
  return scores;
};
