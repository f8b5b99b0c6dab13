// The split benchmark's media: a long 720p source made with FFmpeg and cached by its recipe, and how outputs are
// scored against it (SSIM with ffmpeg's ssim filter, the video stream's duration).
import { createHash } from "node:crypto";
import { mkdir, rename, rm, stat } from "node:fs/promises";
import { join } from "node:path";
import { parseSsimSummary } from "../core/ffmpeg/plan-quality-check.ts";
import { ffmpegVersion } from "../scripts/make-fixtures.ts";
import { runTool } from "../worker-image/run-tool.ts";

export const SOURCE_FPS = 25;
export const SOURCE_WIDTH = 1280;
export const SOURCE_HEIGHT = 720;
const HOURS = 3_600_000;

/**
 * A phone-like 720p25 clip: moving test pattern with temporal noise (so x264 has real work, as with camera
 * footage), a keyframe every 2 s, 6 Mbit/s; a steady 440 Hz tone. Deterministic: fixed noise seed, same x264
 * build and settings. ultrafast keeps making it quick (about a fifth of real time on 2 cores).
 */
const recipe = (seconds: number): string[] => [
  ...["-hide_banner", "-nostdin", "-nostats", "-loglevel", "error", "-y"],
  ...["-f", "lavfi", "-i"],
  `testsrc2=size=${SOURCE_WIDTH}x${SOURCE_HEIGHT}:rate=${SOURCE_FPS},noise=alls=10:allf=t:all_seed=16`,
  ...["-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000", "-t", String(seconds)],
  ...["-c:v", "libx264", "-preset", "ultrafast", "-b:v", "6M", "-maxrate", "6M", "-bufsize", "12M"],
  ...["-g", String(2 * SOURCE_FPS), "-keyint_min", String(2 * SOURCE_FPS), "-sc_threshold", "0"],
  ...["-pix_fmt", "yuv420p", "-c:a", "aac", "-b:a", "128k", "-movflags", "+faststart", "-f", "mp4"],
];

/** Runs one tool to completion (stopped by `signal`); answers its stdout and the last lines of stderr. */
export const runOrThrow = async (argv: readonly string[], signal: AbortSignal, what: string) => {
  let stdout = "";
  const ran = await runTool(argv, {
    timeLimitMs: 6 * HOURS,
    killGraceMs: 2_000,
    signal,
    stderrLines: 20,
    onStdout: (text) => {
      stdout += text;
    },
  });
  if (!ran.ok) throw new Error(`${what}: ${ran.error.message}`);
  if (ran.run.exitCode !== 0) {
    throw new Error(
      `${what}: exit ${ran.run.exitCode ?? ran.run.signalCode}: ${ran.run.stderrTail.join(" | ")}`,
    );
  }
  return { stdout, stderrTail: ran.run.stderrTail };
};

/** The source of `seconds`, made once per recipe and FFmpeg build under `cacheDir` (gitignored .tmp/). */
export const ensureSplitSource = async (
  ffmpeg: string,
  seconds: number,
  cacheDir: string,
  signal: AbortSignal,
): Promise<{ readonly path: string; readonly made: boolean }> => {
  const argv = recipe(seconds);
  const hash = createHash("sha256")
    .update(JSON.stringify({ argv, ffmpeg: await ffmpegVersion(ffmpeg) }))
    .digest("hex")
    .slice(0, 12);
  const path = join(cacheDir, `split-source-${seconds}s-${hash}.mp4`);
  if (
    await stat(path).then(
      () => true,
      () => false,
    )
  )
    return { path, made: false };
  await mkdir(cacheDir, { recursive: true });
  const partial = `${path}.${process.pid}.partial`;
  try {
    await runOrThrow([ffmpeg, ...argv, partial], signal, "making the source");
    await rename(partial, path);
  } finally {
    await rm(partial, { force: true });
  }
  return { path, made: true };
};

/** The first video stream's duration in seconds, as ffprobe reports it. */
export const videoDuration = async (ffprobe: string, path: string, signal: AbortSignal): Promise<number> => {
  const args = ["-v", "error", "-select_streams", "v:0", "-show_entries", "stream=duration", "-of", "json"];
  const { stdout } = await runOrThrow([ffprobe, ...args, path], signal, `ffprobe ${path}`);
  const duration = Number((JSON.parse(stdout) as { streams: { duration?: string }[] }).streams[0]?.duration);
  if (!Number.isFinite(duration)) throw new Error(`${path}: no video duration`);
  return duration;
};

/**
 * SSIM (the "All" value) of `output` against the source over the whole clip: both start at zero (an edit list or
 * a start offset must not shift one against the other) and the output is scaled to the source's frame if needed.
 */
export const ssimAgainstSource = async (
  ffmpeg: string,
  output: string,
  source: string,
  signal: AbortSignal,
): Promise<number> => {
  const graph =
    `[0:v]scale=${SOURCE_WIDTH}:${SOURCE_HEIGHT}:flags=bicubic,setpts=PTS-STARTPTS[out];` +
    "[1:v]setpts=PTS-STARTPTS[src];[out][src]ssim";
  const { stderrTail } = await runOrThrow(
    [
      ffmpeg,
      "-hide_banner",
      "-nostdin",
      "-nostats",
      "-i",
      output,
      "-i",
      source,
      "-lavfi",
      graph,
      "-an",
    ].concat(["-f", "null", "-"]),
    signal,
    `ssim of ${output}`,
  );
  const ssim = parseSsimSummary(stderrTail.join("\n"));
  if (ssim === null) throw new Error(`ssim of ${output}: no summary in ${stderrTail.join(" | ")}`);
  return ssim;
};
