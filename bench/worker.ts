// `make bench` (after the RWOS bench): the Fly worker's memory on a ≥ 1 GB input and its time overhead over bare
// FFmpeg. Real worker processes in pool mode against a dedicated redis-server, the Upstash REST bridge and s3rver.
import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { copyFile, mkdir, mkdtemp, readFile, rm, stat } from "node:fs/promises";
import { cpus, loadavg, tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { ensureFixtures } from "../scripts/make-fixtures.ts";
import { median } from "./render-table.ts";
import { mergeResults } from "./results-file.ts";
import { startWorkerServices, type WorkerServices } from "./worker-services.ts";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const RESULTS_PATH = join(ROOT, "bench/results.json");
const BUN = join(ROOT, "node_modules/.bin/bun");
const WORKER = join(ROOT, "worker-image/main.ts");
const OVERHEAD_RUNS = 11;
const BIG_INPUT_BYTES = 1024 ** 3;
const GOALS = { rssMb: 100, overheadRatio: 1.05 };
/** `bun bench/worker.ts rss|overhead` runs one part and merges nothing (for working on the worker). */
const ONLY = process.argv[2] === "rss" || process.argv[2] === "overhead" ? process.argv[2] : "all";

const say = (line: string) => process.stdout.write(`${line}\n`);
for (const signal of ["SIGINT", "SIGTERM"] as const) process.once(signal, () => process.exit(130));

const exited = (child: ChildProcess) =>
  new Promise<number | null>((resolve) => child.once("close", (code) => resolve(code)));

/** Peak resident memory of one process (VmHWM), sampled from /proc until it exits; ffmpeg is its own process. */
const watchPeakRss = (pid: number) => {
  let peakKb = 0;
  const sample = async () => {
    const status = await readFile(`/proc/${pid}/status`, "utf8").catch(() => "");
    const kb = Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1] ?? 0);
    peakKb = Math.max(peakKb, kb);
  };
  const timer = setInterval(sample, 50);
  return {
    stop: async () => {
      clearInterval(timer);
      return peakKb / 1024;
    },
    sample,
  };
};

/** One pool worker process that runs one job and exits; answers its JSON log lines and peak RSS. */
const runWorker = async (services: WorkerServices, workDir: string) => {
  const machineId = `bench-${randomBytes(4).toString("hex")}`;
  const child = spawn(BUN, [WORKER], {
    env: { PATH: process.env.PATH ?? "", ...services.env(machineId, workDir), WORKER_MAX_JOBS: "1" },
    stdio: ["ignore", "pipe", "inherit"],
  });
  let stdout = "";
  child.stdout?.on("data", (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  const rss = watchPeakRss(child.pid ?? 0);
  const code = await exited(child);
  const peakMb = await rss.stop();
  if (code !== 0) throw new Error(`the worker exited with ${code}: ${stdout.slice(-2000)}`);
  const logs = stdout
    .split("\n")
    .filter((l) => l.trim() !== "")
    .map((l) => JSON.parse(l) as { event: string; [k: string]: unknown });
  return { logs, peakMb };
};

const runFfmpeg = async (argv: readonly string[]) => {
  const child = spawn("ffmpeg", argv, { stdio: ["ignore", "ignore", "inherit"] });
  const code = await exited(child);
  if (code !== 0) throw new Error(`ffmpeg ${argv.join(" ")} exited with ${code}`);
};

/** The worker's time for one job: claim (Redis TIME) to the completion it committed; and the argv it ran. */
const workerRun = async (services: WorkerServices, fixture: string, scratch: string) => {
  const job = await services.createJob(fixture, "web-optimized");
  const { logs } = await runWorker(services, join(scratch, "overhead"));
  const done = await services.load(job.jobId);
  if (done.status !== "completed" || done.startedAt === null || done.finishedAt === null) {
    throw new Error(`job ${job.jobId} ended ${done.status}: ${JSON.stringify(done.error)}`);
  }
  const completed = logs.find((l) => l.event === "job-completed");
  return {
    ms: done.finishedAt - done.startedAt,
    argv: completed?.argv as string[][],
    phases: JSON.stringify(completed?.phasesMs),
  };
};

/** The very argv the worker ran, on the same file at the same paths (the worker removed its copies). */
const bareRun = async (argv: readonly (readonly string[])[], fixture: string) => {
  const first = argv[0] ?? [];
  const inputPath = first[first.indexOf("-i") + 1] as string;
  await mkdir(dirname(inputPath), { recursive: true });
  await copyFile(fixture, inputPath);
  for (const command of argv) await mkdir(dirname(command.at(-1) as string), { recursive: true });
  const started = performance.now();
  for (const command of argv) await runFfmpeg(command);
  const ms = performance.now() - started;
  await rm(dirname(inputPath), { recursive: true, force: true });
  return ms;
};

/**
 * Pairs of runs back to back, alternating which goes first, so load from elsewhere on the machine hits both alike;
 * the figure is the median of the pairs' ratios (a slow minute slows both halves of a pair, not one median).
 */
const measureOverhead = async (services: WorkerServices, fixture: string, scratch: string) => {
  const workerMs: number[] = [];
  const bareMs: number[] = [];
  const ratios: number[] = [];
  let argv: string[][] | null = null;
  for (let run = 1; run <= OVERHEAD_RUNS; run++) {
    const bareFirst = argv !== null && run % 2 === 0;
    let bare = bareFirst && argv !== null ? await bareRun(argv, fixture) : 0;
    const worker = await workerRun(services, fixture, scratch);
    argv = worker.argv;
    if (!bareFirst) bare = await bareRun(argv, fixture);
    workerMs.push(worker.ms);
    bareMs.push(bare);
    ratios.push(worker.ms / bare);
    say(
      `  run ${run}/${OVERHEAD_RUNS}: worker ${worker.ms} ms ${worker.phases}, bare ffmpeg ${Math.round(bare)} ms, ratio ${(worker.ms / bare).toFixed(3)}`,
    );
  }
  return { workerMs: median(workerMs), bareMs: median(bareMs), ratio: median(ratios) };
};

/** A ≥ 1 GiB MP4 made by stream-copying the fixture in a loop (fast: no encode). */
const makeBigInput = async (fixture: string, path: string) => {
  const loops = Math.ceil(BIG_INPUT_BYTES / (await stat(fixture)).size) + 2;
  await runFfmpeg([
    ...["-hide_banner", "-nostdin", "-y", "-loglevel", "error", "-stream_loop", String(loops)],
    ...["-i", fixture, "-c", "copy", "-f", "mp4", path],
  ]);
  return (await stat(path)).size;
};

const main = async () => {
  const media = await ensureFixtures();
  const fixture = media["h264-720p-10s.mp4"];
  const scratch = await mkdtemp(join(tmpdir(), "tcoder-bench-worker-"));
  const services = await startWorkerServices("worker");
  try {
    say(
      `worker benchmark: Bun ${Bun.version}, ${cpus().length} CPUs, load average ${(loadavg()[0] ?? 0).toFixed(2)} at start`,
    );

    say(
      `ffmpeg overhead: web-optimized on the 10 s 720p fixture, worker vs bare ffmpeg, ${OVERHEAD_RUNS} pairs`,
    );
    const overhead =
      ONLY === "rss"
        ? { workerMs: Number.NaN, bareMs: Number.NaN, ratio: Number.NaN }
        : await measureOverhead(services, fixture, scratch);
    const { ratio } = overhead;

    const bigPath = join(scratch, "big.mp4");
    let big = { peakMb: Number.NaN };
    let bigSummary = "skipped";
    if (ONLY !== "overhead") {
      const bigBytes = await makeBigInput(fixture, bigPath);
      say(`peak RSS: default (stream copy) on a ${(bigBytes / 1024 ** 3).toFixed(2)} GiB input`);
      const bigJob = await services.createJob(bigPath, "default");
      await rm(bigPath);
      big = await runWorker(services, join(scratch, "rss"));
      const bigDone = await services.load(bigJob.jobId);
      if (bigDone.status !== "completed") throw new Error(`big job ended ${bigDone.status}`);
      const video = bigDone.outputs.find((o) => o.type === "video");
      const mib = (bytes: number) => (bytes / 1024 ** 2).toFixed(0);
      bigSummary = `${mib(bigBytes)} MiB / ${mib(video?.size ?? 0)} MiB in ${bigDone.machineSeconds?.toFixed(1)} s`;
    }

    say("");
    say("| figure | value | goal |");
    say("| --- | --- | --- |");
    say(
      `| worker_rss_mb (peak VmHWM of the Bun process, ffmpeg excluded) | ${big.peakMb.toFixed(1)} | ≤ ${GOALS.rssMb} ${big.peakMb <= GOALS.rssMb ? "met" : "MISSED"} |`,
    );
    say(
      `| ffmpeg_overhead_ratio (median of paired worker job ÷ bare ffmpeg) | ${ratio.toFixed(3)} | ≤ ${GOALS.overheadRatio} ${ratio <= GOALS.overheadRatio ? "met" : "MISSED"} |`,
    );
    say(`| worker job, claim to completion (median) | ${Math.round(overhead.workerMs)} ms | |`);
    say(`| bare ffmpeg, same argv (median) | ${Math.round(overhead.bareMs)} ms | |`);
    say(`| big input / stored output, job time | ${bigSummary} | |`);
    const figures = {
      worker_rss_mb: Number(big.peakMb.toFixed(1)),
      ffmpeg_overhead_ratio: Number(ratio.toFixed(3)),
    };
    if (ONLY !== "all") return;
    await mergeResults(RESULTS_PATH, figures);
    say(`\nmerged ${Object.keys(figures).length} figures into ${RESULTS_PATH}`);
  } finally {
    await services.stop();
    await rm(scratch, { recursive: true, force: true });
  }
};

await main();
