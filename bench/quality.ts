// `make bench` (quality_ssim_min, quality_check_overhead): every re-encoding preset on the video fixtures, each
// encode scored the way the worker scores it (core/ffmpeg/plan-quality-check.ts: SSIM on sampled windows against the
// source through the encode's own filters). Prints one row per preset × fixture; merges the lowest SSIM over
// web-optimized and the top HLS rung, and the time the checks took over the time the encodes took (on a one-minute
// clip, and on the short fixtures).
import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DEFAULT_PLAN_LIMITS } from "../core/ffmpeg/check-input.ts";
import { planFfmpeg } from "../core/ffmpeg/plan-ffmpeg.ts";
import { parseSsimSummary, type QualityCheck } from "../core/ffmpeg/plan-quality-check.ts";
import { type ProbeSummary, parseProbe, probeArgs } from "../core/ffmpeg/probe-summary.ts";
import type { PresetName } from "../core/preset-names.ts";
import { ensureFixtures, type FixtureName, run as runTool } from "../scripts/make-fixtures.ts";
import { renderTable } from "./render-table.ts";
import { mergeResults } from "./results-file.ts";

const RESULTS_PATH = new URL("./results.json", import.meta.url).pathname;
const PRESETS: readonly PresetName[] = ["web-optimized", "mobile", "hls"];
const FIXTURES: readonly FixtureName[] = [
  "h264-720p-10s.mp4",
  "odd-641x361.mp4",
  "rotated-90.mp4",
  "vp9-opus.webm",
  "hlg-hevc-10bit.mp4",
  "pq-hevc-10bit.mkv",
  "interlaced-1080i-h264.ts",
  "interlaced-576i-mpeg2.ts",
  "ultrawide-1920x800.mp4",
  "portrait-1080x1920.mp4",
];
const GOALS = { ssimMin: 0.95, overhead: 0.1 };

/** One ffmpeg (or ffprobe) run, timed. */
const run = async (argv: readonly string[], binary = "ffmpeg") => {
  const started = performance.now();
  const result = await runTool(binary, argv);
  return { ...result, ms: performance.now() - started };
};

/** ffprobe a file into the planner's summary. */
const probeOf = async (path: string) =>
  parseProbe(JSON.parse((await run(probeArgs(path), "ffprobe")).stdout))._unsafeUnwrap();

interface Scored {
  readonly encodeMs: number;
  readonly checks: readonly { readonly check: QualityCheck; readonly ssim: number; readonly ms: number }[];
}

/** Plans one preset, runs its encode, then each quality check the worker would run; the output is removed after. */
const encodeAndScore = async (
  preset: PresetName,
  input: string,
  probe: ProbeSummary,
  outDir: string,
  name: string,
): Promise<Scored> => {
  const plan = planFfmpeg({
    preset,
    probe,
    inputPath: input,
    outDir,
    limits: DEFAULT_PLAN_LIMITS,
  })._unsafeUnwrap();
  try {
    for (const dir of plan.directories) await mkdir(dir, { recursive: true });
    const encode = plan.commands.find((c) => c.purpose === "transcode");
    if (encode === undefined) throw new Error(`${preset} ${name}: no transcode command`);
    const encoded = await run(encode.argv);
    if (encoded.code !== 0) throw new Error(`${preset} ${name}: ${encoded.stderr.slice(-500)}`);
    const checks = [];
    for (const check of plan.quality) {
      const scored = await run(check.argv);
      const ssim = parseSsimSummary(scored.stderr);
      if (ssim === null) throw new Error(`${preset} ${name} ${check.target.path}: no SSIM`);
      checks.push({ check, ssim, ms: scored.ms });
    }
    return { encodeMs: encoded.ms, checks };
  } finally {
    await rm(outDir, { recursive: true, force: true });
  }
};

const checksMs = (scored: Scored) => scored.checks.reduce((sum, c) => sum + c.ms, 0);

const media = await ensureFixtures({ ffmpegPath: "ffmpeg", ffprobePath: "ffprobe" });
const workDir = await mkdtemp(join(tmpdir(), "tcoder-quality-bench-"));
const rows: string[][] = [];
let transcodeMs = 0;
let checkMs = 0;
let ssimMin = 1;
try {
  for (const fixture of FIXTURES) {
    const input = media[fixture];
    const probe = await probeOf(input);
    for (const preset of PRESETS) {
      const scored = await encodeAndScore(
        preset,
        input,
        probe,
        join(workDir, `${preset}-${fixture}`),
        fixture,
      );
      transcodeMs += scored.encodeMs;
      checkMs += checksMs(scored);
      for (const [i, { check, ssim, ms }] of scored.checks.entries()) {
        // The goal covers the single-file encode and the ladder's top rung; lower rungs are smaller on purpose.
        if (preset === "web-optimized" || (preset === "hls" && i === 0)) ssimMin = Math.min(ssimMin, ssim);
        rows.push([
          preset,
          fixture,
          check.target.quality ?? "",
          `${check.target.width}x${check.target.height}`,
          ssim.toFixed(4),
          (ms / 1000).toFixed(2),
          i === 0 ? (scored.encodeMs / 1000).toFixed(2) : "",
        ]);
      }
    }
  }
} finally {
  await rm(workDir, { recursive: true, force: true });
}

// The overhead on a typical upload: a one-minute 720p phone-like clip (2 s GOP), web-optimized and HLS. The checks
// cost a near-constant second or so (process start, decoding from the keyframe before each window), so on the
// 1–3 s fixtures above they weigh far more than on real uploads; both figures are printed.
const LONG_CLIP_SEC = 60;
const longDir = await mkdtemp(join(tmpdir(), "tcoder-quality-long-"));
let longTranscodeMs = 0;
let longCheckMs = 0;
try {
  const clip = join(longDir, "clip-60s.mp4");
  const made = await run([
    ...["-hide_banner", "-loglevel", "error", "-y", "-f", "lavfi", "-i"],
    `testsrc2=size=1280x720:rate=30:duration=${LONG_CLIP_SEC}`,
    ...["-f", "lavfi", "-i", `sine=frequency=440:sample_rate=48000:duration=${LONG_CLIP_SEC}`],
    ...["-c:v", "libx264", "-preset", "ultrafast", "-g", "60", "-pix_fmt", "yuv420p", "-c:a", "aac", clip],
  ]);
  if (made.code !== 0) throw new Error(`making the long clip: ${made.stderr}`);
  const probe = await probeOf(clip);
  for (const preset of ["web-optimized", "hls"] as const) {
    const scored = await encodeAndScore(preset, clip, probe, join(longDir, preset), "long clip");
    longTranscodeMs += scored.encodeMs;
    longCheckMs += checksMs(scored);
  }
} finally {
  await rm(longDir, { recursive: true, force: true });
}

const shortOverhead = checkMs / transcodeMs;
const overhead = longCheckMs / longTranscodeMs;
console.log(renderTable(["preset", "fixture", "rung", "size", "ssim", "check s", "encode s"], rows));
console.log(
  `\nquality_ssim_min ${ssimMin.toFixed(4)} (goal ≥ ${GOALS.ssimMin}, web-optimized and the top HLS rung); ` +
    `quality_check_overhead ${overhead.toFixed(3)} on a ${LONG_CLIP_SEC} s 720p clip, web-optimized + hls (checks ` +
    `${(longCheckMs / 1000).toFixed(1)} s over encodes ${(longTranscodeMs / 1000).toFixed(1)} s; goal ≤ ${GOALS.overhead}); ` +
    `on the short fixtures above ${shortOverhead.toFixed(3)} (${(checkMs / 1000).toFixed(1)} s over ${(transcodeMs / 1000).toFixed(1)} s)`,
);
await mergeResults(RESULTS_PATH, {
  quality_ssim_min: Number(ssimMin.toFixed(4)),
  quality_check_overhead: Number(overhead.toFixed(3)),
  quality_check_overhead_short_clips: Number(shortOverhead.toFixed(3)),
});
