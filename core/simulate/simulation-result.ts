// What a simulated month comes to: jobs by outcome, time from upload to ready, machine time and its cost.

export interface TraceRun {
  /** Task and machine serial numbers (unique within a run). */
  readonly task: number;
  readonly machine: number;
  readonly startMs: number;
  readonly endMs: number;
  readonly outcome: "done" | "crashed";
}

export interface TraceMachine {
  readonly machine: number;
  readonly createdMs: number;
  readonly startedMs: number;
  /** When it exited, or died. */
  readonly endedMs: number;
  /** When its place under the cap came free: after the stop grace, or (a dead machine) at the sweep. */
  readonly slotFreedMs: number;
  readonly idleMs: number;
}

export interface Percentiles {
  readonly count: number;
  readonly p50: number;
  readonly p95: number;
  readonly p99: number;
  readonly max: number;
}

export interface SimulationResult {
  readonly arrived: number;
  readonly accepted: number;
  /** Refused at upload: the month's budget is spent (402). */
  readonly refusedBudget: number;
  /** Refused at upload: the backlog is at MAX_PENDING_JOBS (429). */
  readonly refusedBacklog: number;
  readonly completed: number;
  readonly failed: number;
  /** Of the failed: refused by their cost check (over-budget), after their retries. */
  readonly overBudget: number;
  /** Accepted but neither completed nor failed when the simulation stopped (no machine would ever take them). */
  readonly unfinished: number;
  readonly splitJobs: number;
  readonly chunkTasks: number;
  readonly crashes: number;
  readonly requeues: number;
  readonly admissionRejects: number;
  /** Machines that left because they had been idle for idleExitMs (the rest left at their job budget or TTL). */
  readonly idleExits: number;
  /**
   * Split jobs' machine time: every one of their tasks (the split step, the audio, the chunks, the stitch) busy on a
   * machine, and what one pass over each of them would have taken (the model's whole-job time).
   */
  readonly splitBusySeconds: number;
  readonly splitSinglePassSeconds: number;
  /**
   * Upload to ready (completed jobs), seconds; and for the jobs splitting is for (re-encodes, which a split deploy
   * splits) of at least `longJobS` of media.
   */
  readonly latencyS: Percentiles;
  readonly longLatencyS: Percentiles;
  readonly machinesStarted: number;
  readonly maxMachinesAtOnce: number;
  /** What Fly bills: every machine from its create to its exit (or death). */
  readonly machineSeconds: number;
  readonly busySeconds: number;
  /** Registered and alive but running no task. */
  readonly idleSeconds: number;
  readonly bootSeconds: number;
  readonly costUsd: number;
  /** The month's spend as the control plane counts it (a dead machine's worst case, not its bill). */
  readonly spentUsd: number;
  readonly pricePerSecondUsd: number;
  readonly emptyPolls: number;
  readonly events: number;
  /** When the last event happened (ms from the month's start): the month plus the time to drain it. */
  readonly endMs: number;
  readonly trace: { readonly runs: readonly TraceRun[]; readonly machines: readonly TraceMachine[] } | null;
}

/** Nearest-rank percentiles of a set of values (NaN when empty). */
export const percentiles = (values: ArrayLike<number>): Percentiles => {
  const sorted = Float64Array.from(values).sort();
  const at = (p: number) =>
    sorted.length === 0
      ? Number.NaN
      : (sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)] as number);
  return { count: sorted.length, p50: at(0.5), p95: at(0.95), p99: at(0.99), max: at(1) };
};

/** The counts a run keeps as they are; the rest of RawFigures is turned into seconds and percentiles. */
type CountedFigures = Pick<
  SimulationResult,
  | "arrived"
  | "accepted"
  | "refusedBudget"
  | "refusedBacklog"
  | "completed"
  | "failed"
  | "overBudget"
  | "splitJobs"
  | "chunkTasks"
  | "crashes"
  | "requeues"
  | "admissionRejects"
  | "idleExits"
>;

export interface RawFigures extends CountedFigures {
  readonly splitBusyMs: number;
  readonly splitSinglePassMs: number;
  readonly machinesStarted: number;
  readonly maxMachinesAtOnce: number;
  readonly billedMs: number;
  readonly busyMs: number;
  readonly bootMs: number;
  readonly costUsd: number;
  readonly spentUsd: number;
  readonly emptyPolls: number;
  readonly events: number;
  readonly endMs: number;
  readonly pricePerSecondUsd: number;
  readonly latenciesS: ArrayLike<number>;
  readonly longLatenciesS: ArrayLike<number>;
  readonly trace: SimulationResult["trace"];
}

export const summarize = (raw: RawFigures): SimulationResult => ({
  arrived: raw.arrived,
  accepted: raw.accepted,
  refusedBudget: raw.refusedBudget,
  refusedBacklog: raw.refusedBacklog,
  completed: raw.completed,
  failed: raw.failed,
  overBudget: raw.overBudget,
  unfinished: raw.accepted - raw.completed - raw.failed,
  splitJobs: raw.splitJobs,
  chunkTasks: raw.chunkTasks,
  crashes: raw.crashes,
  requeues: raw.requeues,
  admissionRejects: raw.admissionRejects,
  idleExits: raw.idleExits,
  splitBusySeconds: raw.splitBusyMs / 1000,
  splitSinglePassSeconds: raw.splitSinglePassMs / 1000,
  latencyS: percentiles(raw.latenciesS),
  longLatencyS: percentiles(raw.longLatenciesS),
  machinesStarted: raw.machinesStarted,
  maxMachinesAtOnce: raw.maxMachinesAtOnce,
  machineSeconds: raw.billedMs / 1000,
  busySeconds: raw.busyMs / 1000,
  // Float sums of the same intervals: clamp a rounding crumb below zero.
  idleSeconds: Math.max(0, raw.billedMs - raw.busyMs - raw.bootMs) / 1000,
  bootSeconds: raw.bootMs / 1000,
  costUsd: raw.costUsd,
  spentUsd: raw.spentUsd,
  pricePerSecondUsd: raw.pricePerSecondUsd,
  emptyPolls: raw.emptyPolls,
  events: raw.events,
  endMs: raw.endMs,
  trace: raw.trace,
});
