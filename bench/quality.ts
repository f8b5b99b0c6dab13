// `make bench` (quality_ssim_min, quality_check_overhead): every re-encoding preset on the video fixtures, each
// encode scored the way the worker scores it (core/ffmpeg/plan-quality-check.ts: SSIM on sampled windows against the
// source through the encode's own filters). Prints one row per preset × fixture; merges the lowest SSIM over
// web-optimized and the top HLS rung, and the time the checks took over the time the encodes took.
import { spawn } from "node:child_process";
import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { checkInput, DEFAULT_PLAN_LIMITS } from "../core/ffmpeg/check-input.ts";
import { planFfmpeg } from "../core/ffmpeg/plan-ffmpeg.ts";
import { parseSsimSummary, planQualityChecks } from "../core/ffmpeg/plan-quality-check.ts";
import { parseProbe, probeArgs } from "../core/ffmpeg/probe-summary.ts";
import type { PresetName } from "../core/preset-names.ts";
import { ensureFixtures, type FixtureName } from "../scripts/make-fixtures.ts";
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

const run = (argv: readonly string[], binary = "ffmpeg") =>
  new Promise<{ code: number | null; stdout: string; stderr: string; ms: number }>((resolve, reject) => {
    const started = performance.now();
    const child = spawn(binary, argv, { stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr, ms: performance.now() - started }));
  });

const media = await ensureFixtures({ ffmpegPath: "ffmpeg", ffprobePath: "ffprobe" });
const workDir = await mkdtemp(join(tmpdir(), "tcoder-quality-bench-"));
const rows: string[][] = [];
let transcodeMs = 0;
let checkMs = 0;
let ssimMin = 1;
try {
  for (const fixture of FIXTURES) {
    const input = media[fixture];
    const probe = parseProbe(JSON.parse((await run(probeArgs(input), "ffprobe")).stdout))._unsafeUnwrap();
    const checked = checkInput(probe, DEFAULT_PLAN_LIMITS)._unsafeUnwrap();
    for (const preset of PRESETS) {
      const outDir = join(workDir, `${preset}-${fixture}`);
      const plan = planFfmpeg({
        preset,
        probe,
        inputPath: input,
        outDir,
        limits: DEFAULT_PLAN_LIMITS,
      })._unsafeUnwrap();
      for (const dir of plan.directories) await mkdir(dir, { recursive: true });
      const encode = plan.commands.find((c) => c.purpose === "transcode");
      if (encode === undefined) throw new Error(`${preset} ${fixture}: no transcode command`);
      const encoded = await run(encode.argv);
      if (encoded.code !== 0) throw new Error(`${preset} ${fixture}: ${encoded.stderr.slice(-500)}`);
      transcodeMs += encoded.ms;
      const checks = planQualityChecks(plan, { inputPath: input, outDir, input: checked });
      for (const [i, check] of checks.entries()) {
        const scored = await run(check.argv);
        checkMs += scored.ms;
        const ssim = parseSsimSummary(scored.stderr);
        if (ssim === null) throw new Error(`${preset} ${fixture} ${check.target.path}: no SSIM`);
        // The goal covers the single-file encode and the ladder's top rung; lower rungs are smaller on purpose.
        if (preset === "web-optimized" || (preset === "hls" && i === 0)) ssimMin = Math.min(ssimMin, ssim);
        rows.push([
          preset,
          fixture,
          check.target.quality ?? "",
          `${check.target.width}x${check.target.height}`,
          ssim.toFixed(4),
          (scored.ms / 1000).toFixed(2),
          i === 0 ? (encoded.ms / 1000).toFixed(2) : "",
        ]);
      }
      await rm(outDir, { recursive: true, force: true });
    }
  }
} finally {
  await rm(workDir, { recursive: true, force: true });
}

const overhead = checkMs / transcodeMs;
console.log(renderTable(["preset", "fixture", "rung", "size", "ssim", "check s", "encode s"], rows));
console.log(
  `\nquality_ssim_min ${ssimMin.toFixed(4)} (goal ≥ ${GOALS.ssimMin}, web-optimized and the top HLS rung); ` +
    `quality_check_overhead ${overhead.toFixed(3)} (checks ${(checkMs / 1000).toFixed(1)} s over encodes ` +
    `${(transcodeMs / 1000).toFixed(1)} s; goal ≤ ${GOALS.overhead})`,
);
await mergeResults(RESULTS_PATH, {
  quality_ssim_min: Number(ssimMin.toFixed(4)),
  quality_check_overhead: Number(overhead.toFixed(3)),
});
