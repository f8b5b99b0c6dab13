// `make bench`: how fast each preset encodes on this machine, the figures `make simulate` models a job's time with.
// Merges into bench/results.json:
//
//   encode_rtf_<preset>_<720p|1080p>   seconds a machine with this one's cores (2 here, like the default
//                                      performance-2x pool guest) to itself takes per second of media for the
//                                      preset's transcode command (planned by the core, as the worker runs it), on a
//                                      20 s synthetic clip (testsrc2 at 30 fps with a sine tone, 2 s GOP) at that
//                                      size: FFmpeg's CPU time (user + system) ÷ cores, median of 5 interleaved
//                                      rounds. CPU time rather than wall time because other work on these shared
//                                      cores stretches wall time several-fold and CPU time hardly at all; x264
//                                      keeps both cores busy (CPU ÷ cores was 0.93 of wall on an idle machine). The
//                                      table also prints the fastest wall time.
//   stitch_fixed_ms,                   joining encoded pieces without re-encoding (concat demuxer, stream copy,
//   stitch_ms_per_media_s              faststart), as a split job's stitch does: the web-optimized 720p output
//                                      concatenated 1 and 15 times (20 s and 300 s), a line through the two fastest
//                                      wall times (I/O bound: little CPU to count).
//   keyframe_scan_ms_per_media_s       a long job's keyframe scan before it is split (core/split/scan-keyframes.ts:
//                                      an ffprobe packet pass over the video), on the 20 s and 300 s stitched
//                                      files: the slope through the two fastest wall times.
//   encode_rtf_audio                   a split job's audio task (core/split/plan-task-commands.ts, planAudioCommand
//                                      for web-optimized: AAC of the whole file), CPU seconds per media second on the
//                                      same two files (the slope; one thread, pinned to one core with taskset, so not
//                                      divided by cores), median.
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { availableParallelism, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { DEFAULT_PLAN_LIMITS } from "../core/ffmpeg/check-input.ts";
import { checkForPreset, planFfmpeg } from "../core/ffmpeg/plan-ffmpeg.ts";
import { parseProbe, probeArgs } from "../core/ffmpeg/probe-summary.ts";
import type { PresetName } from "../core/preset-names.ts";
import { SPLIT_SEGMENT_S } from "../core/split/plan-chunks.ts";
import { planAudioCommand } from "../core/split/plan-task-commands.ts";
import { keyframeScanArgs } from "../core/split/scan-keyframes.ts";
import { formatFixed, median, renderTable } from "./render-table.ts";
import { mergeResults } from "./results-file.ts";

const RESULTS_PATH = new URL("./results.json", import.meta.url).pathname;
const CLIP_SEC = 20;
const ROUNDS = 5;
const SIZES = { "720p": "1280x720", "1080p": "1920x1080" } as const;
const PRESETS: readonly PresetName[] = ["web-optimized", "mobile", "hls", "default"];
const STITCH_REPEATS = [1, 15] as const;

type Size = keyof typeof SIZES;

const CORES = availableParallelism();

/** Runs a tool to completion; answers its wall time and CPU time (user + system), in seconds. */
const run = async (argv: readonly string[], binary = "ffmpeg") => {
  const started = performance.now();
  const child = Bun.spawn([binary, ...argv], { stdout: "pipe", stderr: "pipe" });
  const [stdout, stderr, code] = await Promise.all([
    new Response(child.stdout).text(),
    new Response(child.stderr).text(),
    child.exited,
  ]);
  if (code !== 0) throw new Error(`${binary} ${argv.join(" ")}: ${stderr.slice(-500)}`);
  const usage = child.resourceUsage();
  const cpuS = usage === undefined ? Number.NaN : Number(usage.cpuTime.user + usage.cpuTime.system) / 1e6;
  return { stdout, wallS: (performance.now() - started) / 1000, cpuS };
};

const makeClip = async (dir: string, size: Size): Promise<string> => {
  const path = join(dir, `clip-${size}.mp4`);
  await run([
    ...["-hide_banner", "-loglevel", "error", "-y", "-f", "lavfi", "-i"],
    `testsrc2=size=${SIZES[size]}:rate=30:duration=${CLIP_SEC}`,
    ...["-f", "lavfi", "-i", `sine=frequency=440:sample_rate=48000:duration=${CLIP_SEC}`],
    ...["-c:v", "libx264", "-preset", "ultrafast", "-g", "60", "-pix_fmt", "yuv420p", "-c:a", "aac", path],
  ]);
  return path;
};

/** Runs the preset's transcode command on `input` into `outDir`; answers its wall time and the MP4 it wrote. */
const encode = async (preset: PresetName, input: string, outDir: string) => {
  const probe = parseProbe(JSON.parse((await run(probeArgs(input), "ffprobe")).stdout))._unsafeUnwrap();
  const plan = planFfmpeg({
    preset,
    probe,
    inputPath: input,
    outDir,
    limits: DEFAULT_PLAN_LIMITS,
  })._unsafeUnwrap();
  for (const dir of plan.directories) await mkdir(dir, { recursive: true });
  const command = plan.commands.find((c) => c.purpose === "transcode");
  if (command === undefined) throw new Error(`${preset}: no transcode command`);
  const { wallS, cpuS } = await run(command.argv);
  return { wallS, cpuS, output: command.argv.at(-1) as string };
};

/** Concatenates `piece` `repeats` times without re-encoding, with the moov atom moved up front. */
const stitch = async (dir: string, piece: string, repeats: number): Promise<number> => {
  const list = join(dir, `list-${repeats}.txt`);
  await writeFile(list, `file '${piece}'\n`.repeat(repeats));
  const { wallS } = await run([
    ...["-hide_banner", "-loglevel", "error", "-y", "-f", "concat", "-safe", "0", "-i", list],
    ...["-c", "copy", "-movflags", "+faststart", join(dir, `stitched-${repeats}.mp4`)],
  ]);
  return wallS * 1000;
};

/** A split job's own passes over the whole file: its keyframe scan (wall s) and its audio encode (CPU s). */
const splitPasses = async (dir: string, file: string) => {
  const scan = await run(keyframeScanArgs(file), "ffprobe");
  const probe = parseProbe(JSON.parse((await run(probeArgs(file), "ffprobe")).stdout))._unsafeUnwrap();
  const input = checkForPreset({
    preset: "web-optimized",
    probe,
    inputPath: file,
    outDir: dir,
    limits: DEFAULT_PLAN_LIMITS,
  })._unsafeUnwrap();
  const outDir = join(dir, "audio-task");
  await mkdir(outDir, { recursive: true });
  const ctx = {
    preset: "web-optimized" as const,
    inputPath: file,
    inputOptions: [],
    outDir,
    maxRunMs: DEFAULT_PLAN_LIMITS.maxRunMs,
  };
  // Pinned to one core (it runs on one thread anyway): unpinned, this VM reported a single-threaded ffmpeg's user
  // time at about 4× its wall time (26 s in 6.3 s on 2 cores), pinned the two agree.
  const audio = await run(
    ["-c", "0", "ffmpeg", ...planAudioCommand(input, SPLIT_SEGMENT_S, ctx).argv],
    "taskset",
  );
  await rm(outDir, { recursive: true, force: true });
  return { scanWallS: scan.wallS, audioCpuS: audio.cpuS };
};

const work = await mkdtemp(join(tmpdir(), "tcoder-encode-rate-"));
console.log(
  `load average at start: ${loadavg()[0]?.toFixed(2)} (other work on the cores slows every figure)`,
);
const cpuRates = new Map<string, number[]>();
const wallRates = new Map<string, number[]>();
const add = (map: Map<string, number[]>, key: string, value: number) =>
  map.set(key, [...(map.get(key) ?? []), value]);
const stitchMs = new Map<number, number[]>();
const scanWallS = new Map<number, number[]>();
const audioCpuS = new Map<number, number[]>();
try {
  const clips = { "720p": await makeClip(work, "720p"), "1080p": await makeClip(work, "1080p") };
  for (let round = 0; round < ROUNDS; round++) {
    // Alternate the order, so a burst of outside load does not always land on the same preset.
    const order = round % 2 === 0 ? PRESETS : [...PRESETS].reverse();
    for (const preset of order) {
      for (const size of Object.keys(SIZES) as Size[]) {
        const outDir = join(work, `${preset}-${size}-${round}`);
        const { wallS, cpuS, output } = await encode(preset, clips[size], outDir);
        const key = `encode_rtf_${preset.replaceAll("-", "_")}_${size}`;
        add(cpuRates, key, cpuS / CORES / CLIP_SEC);
        add(wallRates, key, wallS / CLIP_SEC);
        if (preset === "web-optimized" && size === "720p") {
          for (const repeats of STITCH_REPEATS) {
            stitchMs.set(repeats, [...(stitchMs.get(repeats) ?? []), await stitch(work, output, repeats)]);
            const passes = await splitPasses(work, join(work, `stitched-${repeats}.mp4`));
            scanWallS.set(repeats, [...(scanWallS.get(repeats) ?? []), passes.scanWallS]);
            audioCpuS.set(repeats, [...(audioCpuS.get(repeats) ?? []), passes.audioCpuS]);
          }
        }
        if (!(preset === "web-optimized" && size === "720p"))
          await rm(outDir, { recursive: true, force: true });
      }
    }
  }
} finally {
  await rm(work, { recursive: true, force: true });
}

const fastest = (values: readonly number[]): number => Math.min(...values);
const [short, long] = STITCH_REPEATS.map((r) => fastest(stitchMs.get(r) ?? [])) as [number, number];
const mediaSpan = (STITCH_REPEATS[1] - STITCH_REPEATS[0]) * CLIP_SEC;
const perMediaS = (long - short) / mediaSpan;
const slope = (by: Map<number, number[]>, pick: (values: readonly number[]) => number) =>
  (pick(by.get(STITCH_REPEATS[1]) ?? []) - pick(by.get(STITCH_REPEATS[0]) ?? [])) / mediaSpan;
const figures: Record<string, number> = {
  ...Object.fromEntries([...cpuRates].map(([key, values]) => [key, Number(median(values).toFixed(4))])),
  stitch_fixed_ms: Math.round(Math.max(0, short - perMediaS * CLIP_SEC)),
  stitch_ms_per_media_s: Number(perMediaS.toFixed(2)),
  keyframe_scan_ms_per_media_s: Number((Math.max(0, slope(scanWallS, fastest)) * 1000).toFixed(3)),
  encode_rtf_audio: Number(Math.max(0, slope(audioCpuS, median)).toFixed(4)),
};
console.log(
  renderTable(
    ["figure", "value", "CPU ÷ cores per media s, each round", "fastest wall per media s"],
    Object.entries(figures).map(([key, value]) => [
      key,
      formatFixed(value, key.startsWith("encode") ? 4 : key.startsWith("keyframe") ? 3 : 2),
      (cpuRates.get(key) ?? []).map((v) => v.toFixed(3)).join(" "),
      wallRates.has(key) ? fastest(wallRates.get(key) ?? []).toFixed(3) : "",
    ]),
  ),
);
await mergeResults(RESULTS_PATH, figures);
