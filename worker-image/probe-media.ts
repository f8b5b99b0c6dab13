// ffprobe a local file with the core's argv and validate its JSON with the core's parser (timeout included).
import { err, ok, type Result } from "neverthrow";
import { type ProbeSummary, parseProbe, probeArgs } from "../core/ffmpeg/probe-summary.ts";
import { type JobFailure, probeFailed, probeRejected } from "./job-failure.ts";
import { describeExit, runTool } from "./run-tool.ts";

export const PROBE_TIME_LIMIT_MS = 60_000;
const KILL_GRACE_MS = 2_000;
/** ffprobe's JSON for a file with a few streams is a few KB; far more means something is wrong. */
const MAX_PROBE_OUTPUT = 16 * 1024 * 1024;

/**
 * ffprobe says why on stderr, prefixed with a demuxer tag or the path: "[mov,mp4,… @ 0x55…] moov atom not found",
 * "/tmp/x/input.mp4: Invalid data found when processing input" → "moov atom not found; Invalid data found …".
 */
export const readableStderr = (lines: readonly string[], path: string): string =>
  [
    ...new Set(
      lines.map((line) =>
        line
          .replace(/^\[[^\]]*\]\s*/, "")
          .replace(`${path}: `, "")
          .trim(),
      ),
    ),
  ]
    .filter((line) => line !== "")
    .join("; ");

export const probeMedia = async (
  ffprobePath: string,
  path: string,
  signal?: AbortSignal,
): Promise<Result<ProbeSummary, JobFailure>> => {
  let stdout = "";
  let overflow = false;
  const started = await runTool([ffprobePath, ...probeArgs(path)], {
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
