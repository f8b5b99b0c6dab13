// Scores each video output against its source (the core plans the SSIM runs; this runs them one after another).
// A check that fails or runs out of time leaves a null score with its reason: quality is reported, never fatal.
import type { FfmpegPlan } from "../core/ffmpeg/ffmpeg-plan.ts";
import {
  parseSsimSummary,
  planQualityChecks,
  type QualityContext,
} from "../core/ffmpeg/plan-quality-check.ts";
import type { QualityScore, RecordedRun } from "../core/job-record.ts";
import { readableStderr } from "./probe-media.ts";
import { describeExit, runTool } from "./run-tool.ts";

const KILL_GRACE_MS = 2_000;

export interface QualityChecked {
  readonly scores: readonly QualityScore[];
  readonly runs: readonly RecordedRun[];
}

export const checkQuality = async (
  ffmpegPath: string,
  plan: FfmpegPlan,
  ctx: QualityContext,
  clock: () => number,
  signal?: AbortSignal,
): Promise<QualityChecked> => {
  const scores: QualityScore[] = [];
  const runs: RecordedRun[] = [];
  for (const check of planQualityChecks(plan, ctx)) {
    if (signal?.aborted) break;
    const started = clock();
    const ran = await runTool([ffmpegPath, ...check.argv], {
      timeLimitMs: check.timeLimitMs,
      killGraceMs: KILL_GRACE_MS,
      ...(signal !== undefined ? { signal } : {}),
      // The summary is among the last lines; the stream listing ffmpeg prints at info level comes first.
      stderrLines: 40,
    });
    const wallMs = clock() - started;
    const exitCode = ran.ok ? ran.run.exitCode : null;
    runs.push({ tool: "ffmpeg", purpose: "quality", argv: [...check.argv], wallMs, exitCode });
    const ssim = ran.ok && exitCode === 0 ? parseSsimSummary(ran.run.stderrTail.join("\n")) : null;
    const error = !ran.ok
      ? ran.error.message
      : ran.run.stoppedBy !== null
        ? `stopped (${ran.run.stoppedBy})`
        : exitCode !== 0
          ? `ffmpeg ${describeExit(ran.run)}: ${readableStderr(ran.run.stderrTail.slice(-3), "")}`
          : ssim === null
            ? "ffmpeg printed no SSIM summary"
            : undefined;
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
  return { scores, runs };
};
