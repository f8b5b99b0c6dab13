// `make bench`: split-and-stitch against one worker. A 10-minute 720p25 source (made with FFmpeg, cached in .tmp/)
// goes through `web-optimized` twice on real pool workers, Redis, the Upstash bridge and s3rver:
//
//   single  one worker pinned to CPU 0 (taskset), splitting off (SPLIT_AFTER_SECONDS=0): one encode;
//   split   two workers pinned to CPU 0 and CPU 1, SPLIT_AFTER_SECONDS=120 and 60 s chunks (the defaults).
//
// Merges into bench/results.json:
//   split_speedup_2w         single's wall time ÷ split's, each from the job's enqueue to its completion (goal ≥ 1.8)
//   split_ssim_delta         SSIM(single output, source) − SSIM(stitched output, source) (goal ≤ 0.003)
//   split_duration_error_ms  |video duration of the stitched output − the source's| (goal ≤ one frame, 40 ms)
//
// SPLIT_BENCH_SECONDS=180 shortens the source for a smoke run: it prints the same figures and merges nothing.
import { mkdtemp, readdir, rm } from "node:fs/promises";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { shouldSplit, splitSettings } from "../core/split/plan-chunks.ts";
import { locateFfmpegTools } from "../test/services/ffmpeg-tools.ts";
import { formatFixed, renderTable } from "./render-table.ts";
import { mergeResults } from "./results-file.ts";
import { ensureSplitSource, SOURCE_FPS, ssimAgainstSource, videoDuration } from "./split-media.ts";
import { timedRun } from "./split-run.ts";
import { startWorkerServices } from "./worker-services.ts";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const RESULTS_PATH = join(ROOT, "bench/results.json");
const CACHE_DIR = join(ROOT, ".tmp/bench");
const FULL_SECONDS = 600;
const SPLIT = { SPLIT_AFTER_SECONDS: "120", SPLIT_CHUNK_SECONDS: "60" };
const GOALS = { speedup: 1.8, ssimDelta: 0.003, durationMs: 1000 / SOURCE_FPS };

const say = (line: string) => process.stdout.write(`${line}\n`);

const sourceSeconds = (): number => {
  const raw = process.env.SPLIT_BENCH_SECONDS;
  if (raw === undefined || raw === "") return FULL_SECONDS;
  const seconds = Number(raw);
  const settings = splitSettings({ splitAfterS: 120, chunkS: 60 });
  if (!Number.isInteger(seconds) || !shouldSplit({ durationS: seconds, preset: "web-optimized" }, settings)) {
    throw new Error(`SPLIT_BENCH_SECONDS must be a whole number of seconds long enough to split (> 120)`);
  }
  return seconds;
};

// Everything a run starts is stopped on the way out: normal end, a failure, or Ctrl-C / SIGTERM.
const stop = new AbortController();
const cleanups: (() => Promise<unknown>)[] = [];
let cleaning: Promise<void> | null = null;
const cleanUp = () => {
  cleaning ??= (async () => {
    stop.abort();
    for (const clean of cleanups.reverse()) await clean().catch(() => {});
  })();
  return cleaning;
};
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => void cleanUp().finally(() => process.exit(130)));
}

const main = async () => {
  const seconds = sourceSeconds();
  if (cpus().length < 2) throw new Error("this benchmark pins two workers to CPUs 0 and 1: it needs 2 CPUs");
  const tools = await locateFfmpegTools();
  const began = performance.now();
  say(
    `split benchmark: ${seconds} s 720p${SOURCE_FPS} source, web-optimized; ${cpus().length} CPUs, ` +
      `load average ${(loadavg()[0] ?? 0).toFixed(2)} at start`,
  );
  // A source interrupted while being made leaves no partial file behind.
  cleanups.push(async () => {
    for (const name of await readdir(CACHE_DIR).catch(() => [])) {
      if (name.endsWith(`.${process.pid}.partial`)) await rm(join(CACHE_DIR, name), { force: true });
    }
  });
  const source = await ensureSplitSource(tools.ffmpegPath, seconds, CACHE_DIR, stop.signal);
  say(`source ${source.path} (${source.made ? "made" : "cached"})`);

  const scratch = await mkdtemp(join(tmpdir(), "tcoder-bench-split-"));
  cleanups.push(() => rm(scratch, { recursive: true, force: true }));
  const services = await startWorkerServices("split");
  cleanups.push(services.stop);

  say("single: one worker on CPU 0, splitting off …");
  const single = await timedRun(
    services,
    source.path,
    { label: "single", cpus: [0], env: { SPLIT_AFTER_SECONDS: "0" } },
    scratch,
  );
  say(`  ${formatFixed(single.wallMs / 1000, 1)} s`);
  say("split: two workers on CPU 0 and CPU 1, 60 s chunks …");
  const split = await timedRun(services, source.path, { label: "split", cpus: [0, 1], env: SPLIT }, scratch);
  say(`  ${formatFixed(split.wallMs / 1000, 1)} s, ${split.tasks.length} tasks`);
  if (split.tasks.length === 0) throw new Error("the split run's job was not split");

  say("scoring both outputs against the source …");
  const [singleSsim, splitSsim, sourceS, singleS, splitS] = await Promise.all([
    ssimAgainstSource(tools.ffmpegPath, single.videoPath, source.path, stop.signal),
    ssimAgainstSource(tools.ffmpegPath, split.videoPath, source.path, stop.signal),
    videoDuration(tools.ffprobePath, source.path, stop.signal),
    videoDuration(tools.ffprobePath, single.videoPath, stop.signal),
    videoDuration(tools.ffprobePath, split.videoPath, stop.signal),
  ]);

  const speedup = single.wallMs / split.wallMs;
  const ssimDelta = singleSsim - splitSsim;
  const durationErrorMs = Math.abs(splitS - sourceS) * 1000;
  const met = (ok: boolean) => (ok ? "yes" : "no");
  say("");
  say(
    renderTable(
      ["figure", "value", "goal", "met"],
      [
        ["split_speedup_2w", formatFixed(speedup, 3), `≥ ${GOALS.speedup}`, met(speedup >= GOALS.speedup)],
        [
          "split_ssim_delta",
          formatFixed(ssimDelta, 5),
          `≤ ${GOALS.ssimDelta}`,
          met(ssimDelta <= GOALS.ssimDelta),
        ],
        [
          "split_duration_error_ms",
          formatFixed(durationErrorMs, 1),
          `≤ ${GOALS.durationMs}`,
          met(durationErrorMs <= GOALS.durationMs),
        ],
      ],
    ),
  );
  say("");
  say(
    renderTable(
      ["run", "workers", "wall s", "machine s", "ssim", "video s"],
      [
        ["source", "", "", "", "", formatFixed(sourceS, 3)],
        [
          "single",
          "1 (CPU 0)",
          formatFixed(single.wallMs / 1000, 1),
          formatFixed(single.machineSeconds, 1),
        ].concat([formatFixed(singleSsim, 5), formatFixed(singleS, 3)]),
        [
          "split",
          "2 (CPU 0, 1)",
          formatFixed(split.wallMs / 1000, 1),
          formatFixed(split.machineSeconds, 1),
        ].concat([formatFixed(splitSsim, 5), formatFixed(splitS, 3)]),
      ],
    ),
  );
  say("");
  say(
    renderTable(
      ["task", "CPU", "started s", "ran s"],
      split.tasks.map((t) => [
        t.name,
        t.cpu === null ? "?" : String(t.cpu),
        formatFixed(t.startS, 1),
        formatFixed(t.seconds, 1),
      ]),
    ),
  );
  say(`\nthe whole run took ${formatFixed((performance.now() - began) / 1000, 0)} s`);
  if (seconds !== FULL_SECONDS) {
    say(`smoke run (SPLIT_BENCH_SECONDS=${seconds}): nothing merged into ${RESULTS_PATH}`);
    return;
  }
  await mergeResults(RESULTS_PATH, {
    split_speedup_2w: Number(speedup.toFixed(3)),
    split_ssim_delta: Number(ssimDelta.toFixed(5)),
    split_duration_error_ms: Math.round(durationErrorMs),
  });
  say(`merged 3 figures into ${RESULTS_PATH}`);
};

main()
  .then(
    () => 0,
    (error: unknown) => {
      process.stderr.write(
        `bench/split: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
      );
      return 1;
    },
  )
  .then(async (code) => {
    await cleanUp();
    process.exit(code);
  });
