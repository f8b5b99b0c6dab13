// Counts an input's packets with ffprobe when its probe states no usable duration (elementary streams, "unknown"
// durations): the core builds the argv and folds the output, this runs it.
import { err, ok, type Result } from "neverthrow";
import {
  EMPTY_TALLY,
  measureArgs,
  measuredSpans,
  measureTimeLimitMs,
  tallyPackets,
} from "../core/ffmpeg/measure-packets.ts";
import { inputReadOptions, type ProbeDepth } from "../core/ffmpeg/probe-summary.ts";
import { readableStderr } from "../core/ffmpeg/readable-stderr.ts";
import type { MeasuredSpans } from "../core/ffmpeg/stream-spans.ts";
import type { OnRun } from "../core/job-record.ts";
import { type JobFailure, probeFailed } from "./job-failure.ts";
import { describeExit, runTool } from "./run-tool.ts";

export const measureMedia = async (
  ffprobePath: string,
  path: string,
  input: { readonly depth: ProbeDepth; readonly sizeBytes: number; readonly maxRunMs: number },
  signal?: AbortSignal,
  onRun?: OnRun,
): Promise<Result<MeasuredSpans, JobFailure>> => {
  let tally = EMPTY_TALLY;
  const timeLimitMs = measureTimeLimitMs(input.sizeBytes, input.maxRunMs);
  const started = await runTool([ffprobePath, ...measureArgs(path, inputReadOptions(path, input.depth))], {
    ...(onRun !== undefined ? { record: { purpose: "measure", onRun } } : {}),
    timeLimitMs,
    killGraceMs: 2_000,
    ...(signal !== undefined ? { signal } : {}),
    stderrLines: 5,
    onStdout: (text) => {
      tally = tallyPackets(tally, text);
    },
  });
  if (!started.ok) return err(probeFailed(started.error.message, true));
  const { run } = started;
  if (run.stoppedBy === "time-limit") {
    return err(probeFailed(`counting its packets took longer than ${timeLimitMs / 1000} s`, true));
  }
  if (run.stoppedBy === "aborted") return err(probeFailed("stopped", true));
  if (run.exitCode !== 0) {
    const why = readableStderr(run.stderrTail, path);
    return err(probeFailed(`counting its packets failed: ${why === "" ? describeExit(run) : why}`, false));
  }
  return ok(measuredSpans(tally));
};
