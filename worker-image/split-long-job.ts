// A claimed job whose input is long enough (core/split/plan-chunks.ts) becomes chunk, audio and stitch tasks that
// any worker claims: probe, plan the chunks (MP4: at keyframes a packet scan finds; HLS: on the segment grid), write
// the tasks in one step (split-job.lua).
import type { ResultAsync } from "neverthrow";
import type { CheckedInput } from "../core/ffmpeg/check-input.ts";
import { checkForPreset } from "../core/ffmpeg/plan-ffmpeg.ts";
import { inputReadOptions } from "../core/ffmpeg/probe-summary.ts";
import type { Job } from "../core/job-lifecycle/job-state.ts";
import type { OnRun } from "../core/job-record.ts";
import {
  type ChunkSpan,
  planChunks,
  planGridChunks,
  type SplitSettings,
  shouldSplit,
} from "../core/split/plan-chunks.ts";
import { cutsOnSegmentGrid, stitchable } from "../core/split/plan-task-commands.ts";
import { keyframeScanArgs, parseKeyframeTimes } from "../core/split/scan-keyframes.ts";
import { planSplitTasks, type SplitPlan } from "../core/split/split-tasks.ts";
import type { JobStoreError } from "../shell/redis/job-store.ts";
import type { SplitOutcome } from "../shell/redis/split-job.ts";
import { readInput } from "./read-input.ts";
import { runTool } from "./run-tool.ts";
import type { MediaTools } from "./transcode-media.ts";
import type { Log } from "./worker-log.ts";

export interface SplitDeps {
  readonly tools: MediaTools;
  readonly split: SplitSettings;
  readonly splitJob: (parent: Job, plan: SplitPlan) => ResultAsync<SplitOutcome, JobStoreError>;
  readonly clock: () => number;
  readonly log: Log;
}

/** "whole": run the job as one encode (short, a copy, or anything the split cannot plan; the encode reports it). */
export type SplitResult = "split" | "whole" | "fenced-out";

const KEYFRAME_SCAN_LIMIT_MS = 10 * 60_000;

export const splitIfLong = async (
  job: Job,
  source: { readonly inputPath: string; readonly inputBytes: number },
  deps: SplitDeps,
  signal: AbortSignal,
  onRun?: OnRun,
): Promise<SplitResult> => {
  const { split, tools } = deps;
  if (split.splitAfterS <= 0 || !stitchable(job.preset)) return "whole";
  const read = await readInput(
    tools.ffprobePath,
    source.inputPath,
    tools.limits,
    signal,
    onRun,
    source.inputBytes,
  );
  if (read.isErr()) return "whole";
  const checked = checkForPreset({
    preset: job.preset,
    probe: read.value.probe,
    inputPath: source.inputPath,
    outDir: "",
    limits: tools.limits,
    probeDepth: read.value.depth,
  });
  if (checked.isErr()) return "whole";
  const input = checked.value;
  if (!shouldSplit({ durationS: input.durationSec, preset: job.preset }, split)) return "whole";

  const chunks = cutsOnSegmentGrid(job.preset)
    ? planGridChunks(input.durationSec, split)
    : await keyframeChunks(
        source.inputPath,
        inputReadOptions(source.inputPath, read.value.depth),
        input,
        deps,
        signal,
        onRun,
      );
  if (chunks === null) return "whole";
  if (chunks.length < 2) return "whole";
  const plan = planSplitTasks(
    job,
    { chunks, durationS: input.durationSec, segmentS: split.segmentS, hasAudio: input.audio !== undefined },
    deps.clock(),
  );
  const written = await deps.splitJob(job, plan);
  if (written.isErr()) {
    // Unwritten: run it whole rather than leave it; a lost reply that did write is fenced out at completion.
    deps.log("split-not-written", { jobId: job.jobId, reason: written.error.kind });
    return "whole";
  }
  if (written.value.kind === "fenced-out") return "fenced-out";
  deps.log("job-split", {
    jobId: job.jobId,
    durationS: input.durationSec,
    chunks: chunks.length,
    tasks: plan.tasks.map((t) => t.job.jobId),
  });
  return "split";
};

/** MP4 chunks start at source keyframes (a fast packet scan): null when the scan fails. */
const keyframeChunks = async (
  inputPath: string,
  readOptions: readonly string[],
  input: CheckedInput,
  deps: SplitDeps,
  signal: AbortSignal,
  onRun?: OnRun,
): Promise<readonly ChunkSpan[] | null> => {
  let csv = "";
  const scanned = await runTool([deps.tools.ffprobePath, ...keyframeScanArgs(inputPath, readOptions)], {
    timeLimitMs: Math.min(KEYFRAME_SCAN_LIMIT_MS, deps.tools.limits.maxRunMs),
    killGraceMs: 2_000,
    signal,
    stderrLines: 5,
    onStdout: (text) => {
      csv += text;
    },
    ...(onRun !== undefined ? { record: { purpose: "keyframes", onRun } } : {}),
  });
  if (!scanned.ok || scanned.run.exitCode !== 0) return null;
  const keyframeTimesS = parseKeyframeTimes(csv, input.clockStartSec ?? 0);
  return planChunks({ durationS: input.durationSec, keyframeTimesS }, deps.split);
};
