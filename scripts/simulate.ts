// `make simulate`: a month of uploads through the core's own policies, per workload × volume × policy variant:
// prints cost, upload-to-ready p50/p95, idle machine time and refusals, checks the job time model against
// bench/results.json, and writes .tmp/simulate/results.json and an SVG chart of cost and p95 against volume.
//
//   npx bun scripts/simulate.ts [--days 30] [--seed 1] [--volumes 10,100,1000,10000,100000]
//                               [--workloads steady,bursty,long-files] [--budget-usd 50] [--chart <path>]
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { formatInt, renderTable } from "../bench/render-table.ts";
import { guestKey } from "../core/machine-guest.ts";
import { PRESET_NAMES } from "../core/preset-names.ts";
import {
  DEFAULT_JOB_TIME_MODEL,
  encodeRateKey,
  type JobTimeModel,
  jobTimeModelFromBench,
  PIXELS_720P,
  taskSeconds,
} from "../core/simulate/job-time-model.ts";
import { POLICY_VARIANTS, type PolicyVariant, SEED_VARIANT } from "../core/simulate/policy-variants.ts";
import { seededRandom } from "../core/simulate/prng.ts";
import { simulateMonth } from "../core/simulate/simulate-month.ts";
import type { SimulationResult } from "../core/simulate/simulation-result.ts";
import { simulationSettings } from "../core/simulate/simulation-settings.ts";
import { WORKLOAD_NAMES, type WorkloadName } from "../core/simulate/workloads.ts";
import { renderCostP95Chart } from "./simulate-chart.ts";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const MONTH_DAYS = 30;
const MODEL_TOLERANCE = 0.15;
const E2E_TOLERANCE = 0.25;

const { values: args } = parseArgs({
  options: {
    days: { type: "string", default: String(MONTH_DAYS) },
    seed: { type: "string", default: "1" },
    volumes: { type: "string", default: "10,100,1000,10000,100000" },
    workloads: { type: "string", default: WORKLOAD_NAMES.join(",") },
    "budget-usd": { type: "string", default: "50" },
    chart: { type: "string", default: join(ROOT, ".tmp/simulate/cost-p95.svg") },
  },
});
const days = Number(args.days);
const seed = Number(args.seed);
const volumes = args.volumes.split(",").map(Number);
const workloads = args.workloads.split(",") as WorkloadName[];
const budgetUsd = Number(args["budget-usd"]);
if (!(days > 0 && days <= MONTH_DAYS) || volumes.some((n) => !(n > 0)) || !(budgetUsd >= 0)) {
  throw new Error("--days must be in 1..30, --volumes positive numbers, --budget-usd >= 0");
}
for (const w of workloads) if (!WORKLOAD_NAMES.includes(w)) throw new Error(`unknown workload ${w}`);
/** Fewer days than a month are scaled up to one. */
const toMonth = MONTH_DAYS / days;
const say = (line = "") => process.stdout.write(`${line}\n`);

// ── The model's inputs, and its check against this machine's bench figures ──

const bench = JSON.parse(await readFile(join(ROOT, "bench/results.json"), "utf8")) as Record<string, number>;
const model: JobTimeModel = jobTimeModelFromBench(bench);
const settingsFor = (variant: PolicyVariant, monthlyBudgetUsd: number) =>
  simulationSettings({ ...variant.overrides, monthlyBudgetUsd, jobTime: model });
const base = settingsFor(SEED_VARIANT, Number.POSITIVE_INFINITY);
const pct = (x: number) => `${x >= 0 ? "+" : ""}${(x * 100).toFixed(0)} %`;

say(`make simulate: ${days} day(s)${toMonth > 1 ? ` scaled to ${MONTH_DAYS}` : ""}, seed ${seed}`);
say(
  `machines: ${guestKey(base.guest)} at $${(base.prices.cpuPer30Days.performance * base.guest.cpus).toFixed(2)} per 30 days ` +
    `(Fly's published price, core/price-machine-time.ts), billed from create to exit; boot ${base.bootMs / 1000} s ` +
    `± ${base.bootJitter * 100} % (FACTS.md: a create that pulls the image takes seconds to low tens of seconds; not measured here)`,
);
say(
  `per task: ${model.taskFixedS} s fixed + ${model.transferSPerMediaS * 1000} ms per media second moving media ` +
    "(assumed: Fly to R2 was not measured); SSIM checks add " +
    `${pct(model.qualityCheckOverhead)} (quality_check_overhead); crashes ${base.crashProbability * 100} % of tasks`,
);
say(
  `workers leave after ${base.lifecycle.idleExitMs / 1000} s idle (WORKER_IDLE_EXIT_MS) unless a retry is due or ` +
    "they were nudged; a whole job whose ffmpeg time limits may keep its machine past its TTL commits the " +
    "machine's whole-life cost (admission counts it) or fails over-budget",
);
say();
const modelRows = PRESET_NAMES.flatMap((preset) =>
  (["720p", "1080p"] as const).map((size) => {
    const key = encodeRateKey(preset, size);
    const figure = DEFAULT_JOB_TIME_MODEL.encode[preset][size === "720p" ? "p720" : "p1080"];
    const measured = bench[key];
    const error = measured === undefined ? null : (figure - measured) / measured;
    const within =
      error === null
        ? "no bench figure"
        : preset === "default"
          ? "copy: ms"
          : Math.abs(error) <= MODEL_TOLERANCE
            ? "yes"
            : "NO";
    return [key, figure.toFixed(3), measured?.toFixed(3) ?? "—", error === null ? "—" : pct(error), within];
  }),
);
const passRows = (
  [
    ["keyframe_scan_ms_per_media_s", DEFAULT_JOB_TIME_MODEL.keyframeScanSPerMediaS * 1000],
    ["encode_rtf_audio", DEFAULT_JOB_TIME_MODEL.audioSPerMediaS],
    ["stitch_ms_per_media_s", DEFAULT_JOB_TIME_MODEL.stitchSPerMediaS * 1000],
  ] as const
).map(([key, figure]) => {
  const measured = bench[key];
  const error = measured === undefined ? null : (figure - measured) / measured;
  const within = error === null ? "no bench figure" : Math.abs(error) <= MODEL_TOLERANCE ? "yes" : "NO";
  return [key, figure.toFixed(4), measured?.toFixed(4) ?? "—", error === null ? "—" : pct(error), within];
});
say(`encode model (s per media s) against make bench (tolerance ± ${MODEL_TOLERANCE * 100} %):`);
say(renderTable(["bench key", "model", "measured", "error", "within"], [...modelRows, ...passRows]));
const local = { ...model, taskFixedS: 0, transferSPerMediaS: 0 };
const predicted = taskSeconds({ preset: "web-optimized", pixels: PIXELS_720P, durationS: 10 }, local);
const measuredE2e = bench.e2e_transcode_ms === undefined ? null : bench.e2e_transcode_ms / 1000;
say(
  `pipeline check: a 10 s 720p web-optimized job's transcode phase, predicted ${predicted.toFixed(2)} s, measured ` +
    (measuredE2e === null
      ? "— (no e2e_transcode_ms)"
      : `${measuredE2e.toFixed(2)} s (e2e_transcode_ms): ${pct((predicted - measuredE2e) / measuredE2e)}, tolerance ± ${E2E_TOLERANCE * 100} %`),
);
say("The runs below use the measured figures where bench/results.json has them.");

// ── The grid ──

interface Cell {
  readonly workload: WorkloadName;
  readonly jobsPerDay: number;
  readonly variant: string;
  readonly budgetUsd: number | null;
  readonly wallMs: number;
  readonly result: Omit<SimulationResult, "trace">;
}

const runCell = (
  workload: WorkloadName,
  jobsPerDay: number,
  variant: PolicyVariant,
  budget: number | null,
): Cell => {
  const started = performance.now();
  const { trace: _trace, ...result } = simulateMonth(
    { name: workload, jobsPerDay, days },
    settingsFor(variant, budget ?? Number.POSITIVE_INFINITY),
    seededRandom(seed),
  );
  return {
    workload,
    jobsPerDay,
    variant: variant.name,
    budgetUsd: budget,
    wallMs: performance.now() - started,
    result,
  };
};

const duration = (s: number): string =>
  Number.isNaN(s)
    ? "—"
    : s < 120
      ? `${s.toFixed(0)} s`
      : s < 7200
        ? `${(s / 60).toFixed(1)} min`
        : `${(s / 3600).toFixed(1)} h`;
const usd = (x: number): string => (x < 10 ? `$${x.toFixed(2)}` : `$${formatInt(x)}`);

const allStarted = performance.now();
const cells: Cell[] = [];
for (const workload of workloads) {
  say();
  say(`${workload}: no budget limit, so cost is what the load needs; per month (${MONTH_DAYS} days)`);
  const rows: string[][] = [];
  for (const jobsPerDay of volumes) {
    for (const variant of POLICY_VARIANTS) {
      const cell = runCell(workload, jobsPerDay, variant, null);
      cells.push(cell);
      const r = cell.result;
      const refused = r.refusedBacklog + r.refusedBudget;
      rows.push([
        formatInt(jobsPerDay),
        variant.name,
        usd(r.costUsd * toMonth),
        r.completed === 0 ? "—" : `$${((r.costUsd / r.completed) * 1000).toFixed(2)}`,
        duration(r.latencyS.p50),
        duration(r.latencyS.p95),
        r.longLatencyS.count === 0 ? "—" : duration(r.longLatencyS.p95),
        formatInt(r.idleSeconds * toMonth),
        formatInt(r.machinesStarted * toMonth),
        String(r.maxMachinesAtOnce),
        refused === 0
          ? "0"
          : `${formatInt(refused * toMonth)} (${((refused / r.arrived) * 100).toFixed(0)} %)`,
      ]);
    }
  }
  say(
    renderTable(
      [
        "jobs/day",
        "variant",
        "cost/month",
        "per 1k jobs",
        "p50",
        "p95",
        "p95 re-encodes ≥10 min",
        "idle machine-s",
        "machines",
        "most at once",
        "refused (429)",
      ],
      rows,
    ),
  );
}

say();
say(
  "what splitting costs, per month: split jobs' tasks (the split step's keyframe scan, the audio, the chunks, the " +
    "stitch) busy on machines against one pass over the same jobs; and all machine time against the same variant " +
    "without splitting (boots and idle tails of the machines chunks start)",
);
const splitRows: string[][] = [];
for (const cell of cells.filter((c) => c.variant.endsWith(", split") && c.result.splitJobs > 0)) {
  const twin = cells.find(
    (c) =>
      c.workload === cell.workload &&
      c.jobsPerDay === cell.jobsPerDay &&
      c.variant === cell.variant.slice(0, -", split".length),
  );
  const r = cell.result;
  const extra = twin === undefined ? Number.NaN : r.machineSeconds - twin.result.machineSeconds;
  splitRows.push([
    cell.workload,
    formatInt(cell.jobsPerDay),
    cell.variant,
    formatInt(r.splitJobs * toMonth),
    formatInt(r.chunkTasks * toMonth),
    formatInt(r.splitBusySeconds * toMonth),
    formatInt(r.splitSinglePassSeconds * toMonth),
    pct(r.splitBusySeconds / r.splitSinglePassSeconds - 1),
    Number.isNaN(extra) ? "—" : `${extra >= 0 ? "+" : ""}${formatInt(extra * toMonth)}`,
    twin === undefined ? "—" : pct(r.costUsd / twin.result.costUsd - 1),
  ]);
}
say(
  renderTable(
    [
      "workload",
      "jobs/day",
      "variant",
      "split jobs",
      "chunks",
      "split tasks busy s",
      "one pass s",
      "busy vs one pass",
      "machine-s vs no split",
      "cost vs no split",
    ],
    splitRows,
  ),
);

say();
say(
  `budget: MONTHLY_BUDGET_USD = ${budgetUsd} (the shipped default is 50), steady uploads. "402" are uploads refused ` +
    'for the budget, "429" for a full backlog; "stranded" were accepted but never run (admission stopped starting ' +
    "machines for the budget first).",
);
const budgetRows: string[][] = [];
for (const jobsPerDay of volumes) {
  for (const variant of [SEED_VARIANT, POLICY_VARIANTS.find((v) => v.name === "cap 50, 3 jobs, split")]) {
    if (variant === undefined) continue;
    const cell = runCell("steady", jobsPerDay, variant, budgetUsd);
    cells.push(cell);
    const r = cell.result;
    budgetRows.push([
      formatInt(jobsPerDay),
      variant.name,
      usd(r.spentUsd * toMonth),
      formatInt(r.completed * toMonth),
      formatInt(r.refusedBudget * toMonth),
      formatInt(r.refusedBacklog * toMonth),
      formatInt(r.unfinished),
      formatInt(r.admissionRejects * toMonth),
    ]);
  }
}
say(
  renderTable(
    ["jobs/day", "variant", "spent", "completed", "402", "429", "stranded", "admission refusals"],
    budgetRows,
  ),
);

const wallMs = performance.now() - allStarted;
const biggest = cells.filter((c) => c.jobsPerDay === Math.max(...volumes) && c.budgetUsd === null);
const events = biggest.reduce((sum, c) => sum + c.result.events, 0);
const biggestMs = biggest.reduce((sum, c) => sum + c.wallMs, 0);
say();
say(
  `runtime: ${cells.length} simulated months in ${(wallMs / 1000).toFixed(1)} s; at ${formatInt(Math.max(...volumes))} ` +
    `jobs/day a month took ${(biggestMs / biggest.length / 1000).toFixed(1)} s on average ` +
    `(${formatInt(events / biggest.length)} events, ${(((events / biggestMs) * 1000) / 1e6).toFixed(1)} M events/s)`,
);

const outDir = join(ROOT, ".tmp/simulate");
await mkdir(outDir, { recursive: true });
await writeFile(join(outDir, "results.json"), `${JSON.stringify({ days, seed, model, cells }, null, 1)}\n`);
await mkdir(dirname(args.chart), { recursive: true });
const steady = cells.filter((c) => c.workload === "steady" && c.budgetUsd === null);
await writeFile(
  args.chart,
  renderCostP95Chart(
    steady.map((c) => ({
      variant: c.variant,
      jobsPerDay: c.jobsPerDay,
      costUsd: c.result.costUsd * toMonth,
      p95S: c.result.latencyS.p95,
      overloaded: (c.result.refusedBacklog + c.result.refusedBudget) / c.result.arrived > 0.01,
    })),
    { title: `Steady uploads, a ${MONTH_DAYS}-day month (seed ${seed})` },
  ),
);
say(`wrote ${join(outDir, "results.json")} and ${args.chart}`);
