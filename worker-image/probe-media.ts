// ffprobe a local file with the core's argv and validate its JSON with the core's parser (timeout included); an
// input ffprobe cannot recognise at first is probed once more, deeper (a program stream after junk).
import { err, ok, type Result } from "neverthrow";
import { type ProbeDepth, type ProbeSummary, parseProbe, probeArgs } from "../core/ffmpeg/probe-summary.ts";
import { readableStderr } from "../core/ffmpeg/readable-stderr.ts";
import type { OnRun } from "../core/job-record.ts";
import { type JobFailure, probeFailed, probeRejected } from "./job-failure.ts";
import { describeExit, runTool } from "./run-tool.ts";

export { readableStderr } from "../core/ffmpeg/readable-stderr.ts";

export const PROBE_TIME_LIMIT_MS = 60_000;
const KILL_GRACE_MS = 2_000;
/** ffprobe's JSON for a file with a few streams is a few KB; far more means something is wrong. */
const MAX_PROBE_OUTPUT = 16 * 1024 * 1024;

export const probeMedia = async (
  ffprobePath: string,
  path: string,
  signal?: AbortSignal,
  depth: ProbeDepth = "normal",
  onRun?: OnRun,
  purpose = depth === "deep" ? "probe-deep" : "probe",
): Promise<Result<ProbeSummary, JobFailure>> => {
  let stdout = "";
  let overflow = false;
  const started = await runTool([ffprobePath, ...probeArgs(path, depth)], {
    ...(onRun !== undefined ? { record: { purpose, onRun } } : {}),
    timeLimitMs: PROBE_TIME_LIMIT_MS,
    killGraceMs: KILL_GRACE_MS,
    ...(signal !== undefined ? { signal } : {}),
    stderrLines: 5,
    onStdout: (text) => {
      if (stdout.length + text.length > MAX_PROBE_OUTPUT) overflow = true;
      else stdout += text;
    },
  });
  // A missing ffprobe is the machine's fault, not the media's.
  if (!started.ok) return err(probeFailed(started.error.message, true));
  const { run } = started;
  if (run.stoppedBy === "time-limit") {
    return err(probeFailed(`no answer within ${PROBE_TIME_LIMIT_MS / 1000} s`, true));
  }
  if (run.stoppedBy === "aborted") return err(probeFailed("stopped", true));
  if (run.exitCode !== 0) {
    const why = readableStderr(run.stderrTail, path);
    return err(probeFailed(why === "" ? describeExit(run) : why, false));
  }
  if (overflow) return err(probeFailed("its output is unreasonably large", false));
  let json: unknown;
  try {
    json = JSON.parse(stdout);
  } catch {
    return err(probeFailed("its output is not JSON", false));
  }
  const parsed = parseProbe(json);
  return parsed.isOk() ? ok(parsed.value) : err(probeRejected(parsed.error));
};

export interface ProbedInput {
  readonly probe: ProbeSummary;
  /** How deep ffprobe had to read; ffmpeg must open the input the same way. */
  readonly depth: ProbeDepth;
}

/**
 * The upload's probe. When ffprobe cannot make sense of the input (or finds nothing in it), it reads up to 64 MiB
 * more before the job fails; the first answer's reason is the one reported.
 */
export const probeInput = async (
  ffprobePath: string,
  path: string,
  signal?: AbortSignal,
  onRun?: OnRun,
): Promise<Result<ProbedInput, JobFailure>> => {
  const first = await probeMedia(ffprobePath, path, signal, "normal", onRun);
  if (first.isOk()) return ok({ probe: first.value, depth: "normal" });
  // A machine fault (no ffprobe, a timeout) would only repeat.
  if (first.error.retryable || signal?.aborted) return err(first.error);
  const deep = await probeMedia(ffprobePath, path, signal, "deep", onRun);
  return deep.isOk() ? ok({ probe: deep.value, depth: "deep" }) : err(first.error);
};
