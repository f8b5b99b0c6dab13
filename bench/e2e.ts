// `make bench` (last): the local pipeline end to end (make dev's stack: the Worker under wrangler dev, its queue,
// a real worker process as the machine), against bare FFmpeg in the same run. Merges into bench/results.json:
//
//   e2e_over_ffmpeg   wall time from "upload done" (the presigned PUT answered) to `completed` (the job's
//                     finishedAt, which the worker's commit sets, so the client's poll rate does not set the
//                     figure; it polls once a second, as a client would, not stealing the 2 cores from FFmpeg), for the 10 s 720p fixture with web-optimized, divided by bare
//                     ffmpeg running the same argv (the job's logged commands, in order) on a local copy. Median of
//                     3 rounds each, interleaved. Warm worker (already ran a job, idle since). Goal ≤ 1.15.
//                     Split (medians): e2e_wait_ms (upload done → claimed), then the worker's own phases
//                     e2e_download_ms, e2e_transcode_ms (ffprobe + the ffmpeg commands + output check),
//                     e2e_upload_ms, and e2e_commit_ms (the rest: recording the result).
//   dispatch_ms_p50   "event → FFmpeg start with a warm worker": from the upload's PUT answering (s3rver emits the
//                     object-created event as it stores the object) to the worker spawning the job's first ffmpeg,
//                     timed by an FFMPEG_PATH shim that logs each spawn. One warm pool worker (MAX_MACHINES=1);
//                     each upload comes at a random moment 0–2.5 s after the previous job completed, so the idle
//                     worker is somewhere in its poll backoff (250 ms doubling to 2 s), as with real arrivals.
//                     15 samples, `default` preset on no-audio-3s.mp4. Goal ≤ 250 ms. The split (medians):
//                     dispatch_event_to_pending_ms (relay → queue → consumer intake: job.queuedAt), then
//                     dispatch_pending_to_claim_ms (the worker's next poll: job.startedAt), then
//                     dispatch_claim_to_ffmpeg_ms (download + ffprobe + plan).
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { chmod, copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { basename, dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { ensureFixtures } from "../scripts/make-fixtures.ts";
import { startDevStack } from "../shell/dev/start-dev-stack.ts";
import { pipelineClient } from "../test/e2e/pipeline-client.ts";
import { locateFfmpegTools } from "../test/services/ffmpeg-tools.ts";
import { formatFixed, formatInt, median, renderTable } from "./render-table.ts";
import { mergeResults } from "./results-file.ts";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const RESULTS_PATH = join(ROOT, "bench/results.json");
const ROUNDS = 3;
const DISPATCH_SAMPLES = 15;
const MAX_GAP_MS = 2_500;
const GOALS = { ratio: 1.15, dispatchMs: 250 };

const say = (line: string) => process.stdout.write(`${line}\n`);
const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));
const percentile = (values: readonly number[], p: number): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] as number;
};

const runArgv = (binary: string, args: readonly string[]): Promise<void> =>
  new Promise((resolve, reject) => {
    const child = spawn(binary, args, { stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    child.stderr?.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.on("error", reject);
    child.on("close", (code) =>
      code === 0 ? resolve() : reject(new Error(`ffmpeg exited ${code}: ${stderr}`)),
    );
  });

const main = async () => {
  const [tools, media] = await Promise.all([locateFfmpegTools(), ensureFixtures()]);
  const scratch = await mkdtemp(join(tmpdir(), "tcoder-bench-e2e-"));
  const spawnLog = join(scratch, "ffmpeg-spawns.log");
  const shim = join(scratch, "ffmpeg-shim.sh");
  // Logs "<ms epoch> <args>" per spawn, then becomes ffmpeg (exec: same process, no extra layer).
  await writeFile(
    shim,
    `#!/bin/sh\necho "$(date +%s%3N) $*" >> '${spawnLog}'\nexec '${tools.ffmpegPath}' "$@"\n`,
  );
  await chmod(shim, 0o755);
  const workerLines: { line: string }[] = [];
  const stack = await startDevStack({
    root: ROOT,
    dataDir: null,
    port: 0,
    apiKey: `tk_bench_${randomBytes(12).toString("hex")}`,
    cronIntervalMs: 10_000,
    // One machine that stays up for the whole bench: every job after the first finds it warm.
    vars: {
      MAX_MACHINES: "1",
      WORKER_TTL_MS: "1800000",
      WORKER_DRAIN_MS: "60000",
      WORKER_MAX_JOBS: "1000",
      WORKER_IDLE_EXIT_MS: "1800000",
    },
    machineEnv: { FFMPEG_PATH: shim },
    log: (source, line) => {
      if (source.startsWith("machine ")) workerLines.push({ line });
      else if (/"level":"(warn|error)"|^\[wrangler:(warn|error)\]/.test(line)) say(`[${source}] ${line}`);
    },
  });
  const client = pipelineClient(stack.apiUrl, stack.apiKey);
  try {
    say("warming up: one job starts the machine …");
    const warm = await client.upload(media["no-audio-3s.mp4"], "default");
    await client.waitFor(warm.jobId, { timeoutMs: 60_000 });

    const pipelineMs: number[] = [];
    const bareMs: number[] = [];
    const split: Record<"wait" | "download" | "transcode" | "upload" | "commit", number>[] = [];
    const bareDir = join(scratch, "bare");
    for (let round = 1; round <= ROUNDS; round++) {
      const upload = await client.upload(media["h264-720p-10s.mp4"], "web-optimized", "clip.mp4");
      const job = await client.waitFor(upload.jobId, { timeoutMs: 120_000, pollMs: 1_000 });
      const { startedAt, finishedAt } = job.timestamps;
      if (job.status !== "completed" || startedAt === null || finishedAt === null) {
        throw new Error(`round ${round}: ${JSON.stringify(job)}`);
      }
      const total = Date.parse(finishedAt) - upload.uploadedAt;
      pipelineMs.push(total);

      // The same commands on a local copy: the job's work directory becomes bareDir.
      const completed = workerLines
        .map(({ line }) => (line.startsWith("{") ? (JSON.parse(line) as Record<string, unknown>) : {}))
        .find((e) => e.event === "job-completed" && e.jobId === upload.jobId);
      const phases = (completed?.phasesMs ?? {}) as Record<string, number>;
      const wait = Date.parse(startedAt) - upload.uploadedAt;
      const [download, transcode, uploadOut] = [
        phases.download ?? 0,
        phases.transcode ?? 0,
        phases.upload ?? 0,
      ];
      split.push({
        wait,
        download,
        transcode,
        upload: uploadOut,
        commit: total - wait - download - transcode - uploadOut,
      });
      const argv = completed?.argv as string[][] | undefined;
      const input = argv?.[0]?.[argv[0].indexOf("-i") + 1];
      if (argv === undefined || input === undefined) throw new Error("the worker did not log its argv");
      const jobDir = dirname(input);
      await rm(bareDir, { recursive: true, force: true });
      await mkdir(join(bareDir, "out"), { recursive: true });
      await copyFile(media["h264-720p-10s.mp4"], join(bareDir, basename(input)));
      const local = argv.map((args) => args.map((arg) => arg.split(jobDir).join(bareDir)));
      const started = performance.now();
      for (const args of local) await runArgv(tools.ffmpegPath, args);
      bareMs.push(performance.now() - started);
      say(
        `round ${round}: pipeline ${formatInt(pipelineMs.at(-1) ?? 0)} ms, bare ffmpeg ${formatInt(bareMs.at(-1) ?? 0)} ms`,
      );
    }

    const dispatch: { total: number; toPending: number; toClaim: number; toFfmpeg: number }[] = [];
    for (let i = 0; i < DISPATCH_SAMPLES; i++) {
      await sleep(Math.random() * MAX_GAP_MS);
      const upload = await client.upload(media["no-audio-3s.mp4"], "default", `d${i}.mp4`);
      const job = await client.waitFor(upload.jobId, { timeoutMs: 60_000, pollMs: 50 });
      const spawns = (await readFile(spawnLog, "utf8")).split("\n");
      const first = spawns.find((line) => line.includes(upload.jobId));
      if (first === undefined || job.timestamps.queuedAt === null || job.timestamps.startedAt === null) {
        throw new Error(`no ffmpeg spawn or timestamps for ${upload.jobId}: ${JSON.stringify(job)}`);
      }
      const ffmpegAt = Number(first.split(" ")[0]);
      const queuedAt = Date.parse(job.timestamps.queuedAt);
      const startedAt = Date.parse(job.timestamps.startedAt);
      dispatch.push({
        total: ffmpegAt - upload.uploadedAt,
        toPending: queuedAt - upload.uploadedAt,
        toClaim: startedAt - queuedAt,
        toFfmpeg: ffmpegAt - startedAt,
      });
    }

    const ratio = median(pipelineMs) / median(bareMs);
    const p50 = median(dispatch.map((d) => d.total));
    const figures = {
      e2e_over_ffmpeg: Number(ratio.toFixed(3)),
      e2e_web_optimized_ms: Math.round(median(pipelineMs)),
      e2e_bare_ffmpeg_ms: Math.round(median(bareMs)),
      dispatch_ms_p50: Math.round(p50),
      dispatch_ms_p90: Math.round(
        percentile(
          dispatch.map((d) => d.total),
          90,
        ),
      ),
      dispatch_event_to_pending_ms: Math.round(median(dispatch.map((d) => d.toPending))),
      dispatch_pending_to_claim_ms: Math.round(median(dispatch.map((d) => d.toClaim))),
      dispatch_claim_to_ffmpeg_ms: Math.round(median(dispatch.map((d) => d.toFfmpeg))),
      ...Object.fromEntries(
        (["wait", "download", "transcode", "upload", "commit"] as const).map((part) => [
          `e2e_${part}_ms`,
          Math.round(median(split.map((s) => s[part]))),
        ]),
      ),
    };
    await mergeResults(RESULTS_PATH, figures);
    say("");
    say(
      renderTable(
        ["figure", "value", "goal", "met"],
        [
          ["e2e_over_ffmpeg", formatFixed(ratio, 3), `≤ ${GOALS.ratio}`, ratio <= GOALS.ratio ? "yes" : "no"],
          [
            "dispatch_ms_p50",
            formatInt(p50),
            `≤ ${GOALS.dispatchMs}`,
            p50 <= GOALS.dispatchMs ? "yes" : "no",
          ],
          ...Object.entries(figures)
            .filter(([key]) => key !== "e2e_over_ffmpeg" && key !== "dispatch_ms_p50")
            .map(([key, value]) => [key, formatInt(value), "", ""]),
        ],
      ),
    );
    say(`\nmerged into ${RESULTS_PATH}`);
  } finally {
    await stack.stop();
    await rm(scratch, { recursive: true, force: true });
  }
};

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(
      `bench/e2e: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exit(1);
  },
);
