// The printed result of `make bench`: the figures against BullMQ and the goals, then where the commands go.
import { type CommandCounts, perJobBreakdown, totalCalls } from "./command-meter.ts";
import type { IdleFigures } from "./idle-bench.ts";
import { formatFixed, formatInt, renderTable } from "./render-table.ts";
import type { ScriptBreakdown } from "./rwos-runs.ts";
import {
  commandsPerJob,
  enqueuePerSecond,
  jobsPerSecond,
  medianRun,
  runCounts,
  type ThroughputRun,
} from "./throughput-run.ts";

export const IDLE_GOAL_PER_MIN = 60;

/** The keys merged into bench/results.json. */
// A type alias (not an interface), so it fits results-file.ts's string → number record.
export type RwosFigures = {
  readonly jobs_per_s_c1: number;
  readonly jobs_per_s_c10: number;
  readonly jobs_per_s: number;
  readonly bullmq_jobs_per_s_c1: number;
  readonly bullmq_jobs_per_s_c10: number;
  readonly bullmq_jobs_per_s: number;
  readonly redis_commands_per_job: number;
  readonly bullmq_commands_per_job: number;
  readonly rest_jobs_per_s: number;
  readonly idle_commands_per_worker_min: number;
  readonly idle_redis_calls_per_worker_min: number;
  readonly idle_pickup_ms_p50: number;
};

export interface ReportInput {
  readonly jobs: number;
  readonly runs: number;
  readonly c1: { readonly rwos: readonly ThroughputRun[]; readonly bullmq: readonly ThroughputRun[] };
  readonly c10: { readonly rwos: readonly ThroughputRun[]; readonly bullmq: readonly ThroughputRun[] };
  readonly figures: RwosFigures;
  readonly breakdown: ScriptBreakdown;
  readonly rest: ThroughputRun;
  readonly restBilledPerJob: number;
  readonly idle: IdleFigures;
}

const verdict = (met: boolean, detail: string): string => `${met ? "MET" : "MISSED"} (${detail})`;
const ratio = (a: number, b: number): string => `${(a / b).toFixed(2)}x BullMQ`;
const perJob = (counts: CommandCounts, jobs: number): string => formatFixed(totalCalls(counts) / jobs, 2);
const countLine = (label: string, counts: CommandCounts, jobs: number): string =>
  `  ${label.padEnd(24)}${perJob(counts, jobs).padStart(6)}  ${perJobBreakdown(counts, jobs)}`;

export const renderReport = (input: ReportInput): string => {
  const { figures: f, breakdown, rest, idle } = input;
  const m = { rwos: medianRun(input.c10.rwos), bullmq: medianRun(input.c10.bullmq) };
  const cpuUs = (ms: number, run: ThroughputRun) => formatInt((ms * 1000) / run.jobs);
  const half = f.bullmq_commands_per_job / 2;
  const pickups = [...idle.pickupMs].sort((a, b) => a - b);
  const table = renderTable(
    ["figure", "RWOS", "BullMQ 6.7", "goal", "result"],
    [
      [
        "jobs/s, concurrency 1",
        formatInt(f.jobs_per_s_c1),
        formatInt(f.bullmq_jobs_per_s_c1),
        ">= BullMQ",
        verdict(f.jobs_per_s_c1 >= f.bullmq_jobs_per_s_c1, ratio(f.jobs_per_s_c1, f.bullmq_jobs_per_s_c1)),
      ],
      [
        "jobs/s, concurrency 10 (jobs_per_s)",
        formatInt(f.jobs_per_s),
        formatInt(f.bullmq_jobs_per_s),
        ">= BullMQ",
        verdict(f.jobs_per_s >= f.bullmq_jobs_per_s, ratio(f.jobs_per_s, f.bullmq_jobs_per_s)),
      ],
      [
        "Redis commands per job",
        formatFixed(f.redis_commands_per_job, 2),
        formatFixed(f.bullmq_commands_per_job, 2),
        `<= half BullMQ's (${formatFixed(half, 2)})`,
        verdict(f.redis_commands_per_job <= half, ratio(f.redis_commands_per_job, f.bullmq_commands_per_job)),
      ],
      [
        "  of which worker side, c10",
        perJob(m.rwos.process.counts, m.rwos.jobs),
        perJob(m.bullmq.process.counts, m.bullmq.jobs),
        "",
        "claim + complete, without enqueue",
      ],
      [
        "enqueue jobs/s, c10 (not in jobs/s)",
        formatInt(enqueuePerSecond(m.rwos)),
        formatInt(enqueuePerSecond(m.bullmq)),
        "",
        "",
      ],
      [
        "bench process CPU us/job, c10",
        cpuUs(m.rwos.clientCpuMs, m.rwos),
        cpuUs(m.bullmq.clientCpuMs, m.bullmq),
        "",
        "",
      ],
      [
        "redis-server CPU us/job, c10",
        cpuUs(m.rwos.process.redisCpuMs, m.rwos),
        cpuUs(m.bullmq.process.redisCpuMs, m.bullmq),
        "",
        "",
      ],
      [
        "REST bridge jobs/s, concurrency 10",
        formatInt(f.rest_jobs_per_s),
        "",
        "",
        "local bridge, no network",
      ],
      ["REST commands sent per job", formatFixed(input.restBilledPerJob, 2), "", "", "what Upstash bills"],
      [
        "idle commands sent/worker/min",
        formatFixed(f.idle_commands_per_worker_min, 1),
        "",
        `<= ${IDLE_GOAL_PER_MIN}`,
        verdict(f.idle_commands_per_worker_min <= IDLE_GOAL_PER_MIN, "client side, what Upstash bills"),
      ],
      [
        "idle Redis calls/worker/min",
        formatFixed(f.idle_redis_calls_per_worker_min, 1),
        "",
        "",
        "in-script calls included",
      ],
      [
        "idle pickup ms, p50",
        formatInt(f.idle_pickup_ms_p50),
        "",
        "",
        `${pickups.length} samples, ${formatInt(pickups[0] ?? 0)} to ${formatInt(pickups.at(-1) ?? 0)} ms`,
      ],
    ],
  );
  const rates = (runs: readonly ThroughputRun[]) => runs.map((r) => formatInt(jobsPerSecond(r))).join(" / ");
  // Runs i of both systems ran back to back, so their ratio is less exposed to load that comes and goes.
  const paired = (pair: ReportInput["c1"]) =>
    pair.rwos.map((r, i) =>
      formatFixed(jobsPerSecond(r) / jobsPerSecond(pair.bullmq[i] as ThroughputRun), 2),
    );
  const runLine = (label: string, pair: ReportInput["c1"]) =>
    `  ${label} RWOS ${rates(pair.rwos)}; BullMQ ${rates(pair.bullmq)}; RWOS/BullMQ by pair ${paired(pair).join(" / ")}`;
  return [
    `${formatInt(input.jobs)} no-op jobs per run, enqueued up front, timed from the workers' start to the last`,
    `completion; median of ${input.runs} runs. Commands per job count enqueue + claim + complete, in-script calls included.`,
    "",
    table,
    "",
    "jobs/s of every run:",
    runLine("c1: ", input.c1),
    runLine("c10:", input.c10),
    "",
    "RWOS commands per job, one script at a time:",
    countLine("create-job (enqueue)", breakdown.create, breakdown.jobs),
    countLine("claim-job", breakdown.claim, breakdown.jobs),
    countLine("commit-job (complete)", breakdown.complete, breakdown.jobs),
    countLine("all, median c10 run", runCounts(m.rwos), m.rwos.jobs),
    "BullMQ commands per job, median c10 run:",
    countLine("Queue.addBulk", m.bullmq.enqueue.counts, m.bullmq.jobs),
    countLine("Worker", m.bullmq.process.counts, m.bullmq.jobs),
    `REST run: enqueue ${formatInt(enqueuePerSecond(rest))} jobs/s, ${formatFixed(commandsPerJob(rest), 2)} Redis calls per job`,
  ].join("\n");
};
