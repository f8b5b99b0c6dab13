// `make bench`: RWOS against BullMQ 6.7 on a dedicated redis-server; prints a table, merges bench/results.json.
import { cpus, loadavg } from "node:os";
import { fileURLToPath } from "node:url";
import { Redis } from "ioredis";
import { startUpstashBridge } from "../shell/upstash-bridge/start-upstash-bridge.ts";
import { runBullmq } from "./bullmq-baseline.ts";
import { commandMeter } from "./command-meter.ts";
import { type BridgeCounter, type IdleFigures, runIdleBench } from "./idle-bench.ts";
import { startBenchRedis } from "./redis-server.ts";
import { formatInt, median } from "./render-table.ts";
import { mergeResults } from "./results-file.ts";
import { type RwosFigures, renderReport } from "./rwos-report.ts";
import { type BenchEnv, runRwosBreakdown, runRwosResp, runRwosRest } from "./rwos-runs.ts";
import { commandsPerJob, jobsPerSecond, medianRun, type ThroughputRun } from "./throughput-run.ts";

const JOBS = 10_000;
const RUNS = 3;
const CONCURRENCIES = [1, 10] as const;
const WARMUP_JOBS = 2_000;
const BREAKDOWN_JOBS = 2_000;
const REST_JOBS = 2_000;
const REST_CONCURRENCY = 10;
const IDLE = { workers: 10, settleMs: 5_000, windowMs: 20_000, pickupRounds: 2 } as const;
const RESULTS_PATH = fileURLToPath(new URL("./results.json", import.meta.url));

type Concurrency = (typeof CONCURRENCIES)[number];
type Runs = Record<Concurrency, { rwos: ThroughputRun[]; bullmq: ThroughputRun[] }>;

const say = (line: string) => process.stdout.write(`${line}\n`);

// Ctrl-C or a kill still runs the exit hook that stops redis-server.
for (const signal of ["SIGINT", "SIGTERM"] as const) process.once(signal, () => process.exit(130));

const runThroughput = async (env: BenchEnv): Promise<Runs> => {
  say(`warming up (${formatInt(WARMUP_JOBS)} jobs each, not counted)`);
  await runRwosResp(env, "warm-rwos", WARMUP_JOBS, 10);
  await runBullmq(env, "warm-bullmq", WARMUP_JOBS, 10);
  const runs: Runs = { 1: { rwos: [], bullmq: [] }, 10: { rwos: [], bullmq: [] } };
  for (const c of CONCURRENCIES) {
    // Interleaved, and in alternating order, so load from elsewhere on the machine hits both systems alike.
    for (let run = 1; run <= RUNS; run++) {
      const runRwos = () => runRwosResp(env, `rwos-c${c}-${run}`, JOBS, c);
      const runBull = () => runBullmq(env, `bullmq-c${c}-${run}`, JOBS, c);
      const rwosFirst = run % 2 === 1;
      const first = await (rwosFirst ? runRwos() : runBull());
      const second = await (rwosFirst ? runBull() : runRwos());
      const [rwos, bullmq] = rwosFirst ? [first, second] : [second, first];
      runs[c].rwos.push(rwos);
      runs[c].bullmq.push(bullmq);
      say(
        `  concurrency ${c}, run ${run}/${RUNS}: RWOS ${formatInt(jobsPerSecond(rwos))} jobs/s, ` +
          `BullMQ ${formatInt(jobsPerSecond(bullmq))} jobs/s`,
      );
    }
  }
  return runs;
};

const main = async (): Promise<void> => {
  const load = loadavg()[0] ?? 0;
  const redis = await startBenchRedis();
  const admin = new Redis(redis.url);
  const stats = new Redis(redis.url);
  const counter: BridgeCounter = { commands: 0 };
  const token = "bench-token";
  let bridge: Awaited<ReturnType<typeof startUpstashBridge>> | undefined;
  try {
    const serverInfo = await admin.info("server");
    const redisVersion = /redis_version:(\S+)/.exec(serverInfo)?.[1] ?? "?";
    const env: BenchEnv = { redisUrl: redis.url, admin, meter: await commandMeter(stats) };
    bridge = await startUpstashBridge({
      redisUrl: redis.url,
      token,
      port: 0,
      onRequest: (event) => {
        counter.commands += event.commands.length;
      },
    });
    say(
      `RWOS benchmark: Bun ${Bun.version}, redis-server ${redisVersion} on ${redis.host}:${redis.port} ` +
        `(no persistence), ${cpus().length} CPUs, load average ${load.toFixed(2)} at start`,
    );

    const runs = await runThroughput(env);
    say(`metering each RWOS script on its own (${formatInt(BREAKDOWN_JOBS)} jobs, one phase at a time)`);
    const breakdown = await runRwosBreakdown(env, "rwos-breakdown", BREAKDOWN_JOBS);
    say(`Upstash REST bridge run (${formatInt(REST_JOBS)} jobs, concurrency ${REST_CONCURRENCY})`);
    const endpoint = { url: bridge.url, token };
    counter.commands = 0;
    const rest = await runRwosRest(env, endpoint, "rwos-rest", REST_JOBS, REST_CONCURRENCY);
    const restBilledPerJob = counter.commands / REST_JOBS;
    const idleSeconds = (IDLE.settleMs + IDLE.windowMs) / 1000;
    say(`idle workers (${IDLE.workers} on empty queues, ${idleSeconds} s) and pickup latency`);
    const idle = await runIdleBench(env, endpoint, counter, IDLE);

    const figures = computeFigures(runs, rest, idle);
    say("");
    say(
      renderReport({
        jobs: JOBS,
        runs: RUNS,
        c1: runs[1],
        c10: runs[10],
        figures,
        breakdown,
        rest,
        restBilledPerJob,
        idle,
      }),
    );
    await mergeResults(RESULTS_PATH, figures);
    say(`\nmerged ${Object.keys(figures).length} figures into ${RESULTS_PATH}`);
  } finally {
    await bridge?.close();
    admin.disconnect();
    stats.disconnect();
    await redis.stop();
  }
};

const computeFigures = (runs: Runs, rest: ThroughputRun, idle: IdleFigures): RwosFigures => {
  const rate = (list: readonly ThroughputRun[]) => Math.round(jobsPerSecond(medianRun(list)));
  const perJob = (list: readonly ThroughputRun[]) => Number(median(list.map(commandsPerJob)).toFixed(2));
  const all = (system: "rwos" | "bullmq") => CONCURRENCIES.flatMap((c) => runs[c][system]);
  return {
    jobs_per_s_c1: rate(runs[1].rwos),
    jobs_per_s_c10: rate(runs[10].rwos),
    jobs_per_s: rate(runs[10].rwos),
    bullmq_jobs_per_s_c1: rate(runs[1].bullmq),
    bullmq_jobs_per_s_c10: rate(runs[10].bullmq),
    bullmq_jobs_per_s: rate(runs[10].bullmq),
    redis_commands_per_job: perJob(all("rwos")),
    bullmq_commands_per_job: perJob(all("bullmq")),
    rest_jobs_per_s: Math.round(jobsPerSecond(rest)),
    idle_commands_per_worker_min: Number(idle.clientCommandsPerWorkerMin.toFixed(1)),
    idle_redis_calls_per_worker_min: Number(idle.redisCallsPerWorkerMin.toFixed(1)),
    idle_pickup_ms_p50: Math.round(median(idle.pickupMs)),
  };
};

await main();
