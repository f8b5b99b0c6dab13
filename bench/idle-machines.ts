// `make bench`: what machines cost once a batch is done (make dev's stack: the Worker under wrangler dev, real worker
// processes as machines behind the Fly fake, every setting at its default). Merges into bench/results.json:
//
//   idle_machine_seconds_after_batch   machine-seconds spent after the batch's last job finished, per machine:
//                                      for each machine that ran, from that moment (the latest job's finishedAt,
//                                      which the worker's commit sets) to the launcher seeing its process exit (a
//                                      Fly machine with auto_destroy stops billing then), summed and divided by the
//                                      machines. 8 uploads of the 3 s fixture with `default` on up to 3 machines,
//                                      released at once; one batch. Goal ≤ 25 (WORKER_IDLE_EXIT_MS is 20 s; before
//                                      it, machines waited out their 5 min TTL).
//   idle_machine_seconds_after_batch_max   the longest single machine's.
import { randomBytes } from "node:crypto";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { ensureFixtures } from "../scripts/make-fixtures.ts";
import { startDevStack } from "../shell/dev/start-dev-stack.ts";
import { pipelineClient } from "../test/e2e/pipeline-client.ts";
import { formatFixed, renderTable } from "./render-table.ts";
import { mergeResults } from "./results-file.ts";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const RESULTS_PATH = join(ROOT, "bench/results.json");
const JOBS = 8;
const GOAL_S = 25;
/** The default TTL (5 min) and its drain: a machine that has not left by then never will on its own. */
const EXIT_WAIT_MS = 6 * 60_000;

const say = (line: string) => process.stdout.write(`${line}\n`);
const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));

const main = async () => {
  const media = await ensureFixtures();
  const stack = await startDevStack({
    root: ROOT,
    dataDir: null,
    port: 0,
    apiKey: `tk_bench_${randomBytes(12).toString("hex")}`,
    cronIntervalMs: 10_000,
    vars: { MAX_MACHINES: "3", SPAWN_RATE_MAX: "10" },
    log: (source, line) => {
      if (!source.startsWith("machine ") && /"level":"(warn|error)"|^\[wrangler:(warn|error)\]/.test(line)) {
        say(`[${source}] ${line}`);
      }
    },
  });
  const client = pipelineClient(stack.apiUrl, stack.apiKey);
  try {
    say(`a batch of ${JOBS} uploads …`);
    const uploads = await Promise.all(
      Array.from({ length: JOBS }, (_, i) => client.upload(media["no-audio-3s.mp4"], "default", `b${i}.mp4`)),
    );
    const jobs = await Promise.all(uploads.map((u) => client.waitFor(u.jobId, { timeoutMs: 180_000 })));
    const finishedAt = Math.max(
      ...jobs.map((job) => {
        if (job.status !== "completed" || job.timestamps.finishedAt === null) {
          throw new Error(`a batch job did not complete: ${JSON.stringify(job)}`);
        }
        return Date.parse(job.timestamps.finishedAt);
      }),
    );
    say("waiting for the machines to leave …");
    const { launcher } = stack;
    const deadline = Date.now() + EXIT_WAIT_MS;
    while (launcher.live() > 0 && Date.now() < deadline) await sleep(250);
    const records = launcher.records();
    if (records.some((record) => record.exitedAt === null)) {
      throw new Error(
        `machines still alive after ${EXIT_WAIT_MS / 1000} s: ${launcher.liveIds().join(", ")}`,
      );
    }
    const idleSeconds = records.map((record) => Math.max(0, ((record.exitedAt ?? 0) - finishedAt) / 1000));
    const perMachine = idleSeconds.reduce((sum, s) => sum + s, 0) / Math.max(1, idleSeconds.length);
    const worst = Math.max(0, ...idleSeconds);
    const figures = {
      idle_machine_seconds_after_batch: Number(perMachine.toFixed(1)),
      idle_machine_seconds_after_batch_max: Number(worst.toFixed(1)),
    };
    await mergeResults(RESULTS_PATH, figures);
    say("");
    say(
      renderTable(
        ["figure", "value", "goal", "met"],
        [
          [
            "idle_machine_seconds_after_batch",
            formatFixed(perMachine, 1),
            `≤ ${GOAL_S}`,
            perMachine <= GOAL_S ? "yes" : "no",
          ],
          ["idle_machine_seconds_after_batch_max", formatFixed(worst, 1), "", ""],
          ["machines", String(records.length), "", ""],
        ],
      ),
    );
    say(`\nmerged into ${RESULTS_PATH}`);
  } finally {
    await stack.stop();
  }
};

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(
      `bench/idle-machines: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exit(1);
  },
);
