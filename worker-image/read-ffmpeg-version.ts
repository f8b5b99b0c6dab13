// Checks at startup that ffmpeg and ffprobe run, and reads ffmpeg's version line (recorded with every job).
import { err, ok, type Result } from "neverthrow";
import { describeExit, runTool } from "./run-tool.ts";

const TIME_LIMIT_MS = 15_000;

const firstLine = async (binary: string): Promise<Result<string, string>> => {
  let stdout = "";
  const started = await runTool([binary, "-hide_banner", "-version"], {
    timeLimitMs: TIME_LIMIT_MS,
    killGraceMs: 1_000,
    onStdout: (text) => {
      if (stdout.length < 4096) stdout += text;
    },
  });
  if (!started.ok) return err(started.error.message);
  const { run } = started;
  if (run.exitCode !== 0) return err(`${binary} -version ${describeExit(run)}`);
  const line = stdout.split("\n")[0]?.trim() ?? "";
  return line === "" ? err(`${binary} -version printed nothing`) : ok(line);
};

/** "ffmpeg version 5.1.9-0+deb12u1 Copyright (c) …" → everything before " Copyright". */
export const readFfmpegVersion = async (
  ffmpegPath: string,
  ffprobePath: string,
): Promise<Result<string, string>> => {
  const [ffmpeg, ffprobe] = await Promise.all([firstLine(ffmpegPath), firstLine(ffprobePath)]);
  if (ffprobe.isErr()) return err(ffprobe.error);
  return ffmpeg.map((line) => line.replace(/\s+Copyright.*$/, ""));
};
