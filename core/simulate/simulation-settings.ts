// What a simulated month runs under: the control plane's and workers' settings (the repo's defaults unless a
// variant changes them), the machine's price, boot time and failure rate, and the job time model.
import type { AdmissionConfig } from "../decide-admission.ts";
import type { AcceptanceLimits } from "../decide-job-acceptance.ts";
import { DEFAULT_JOB_RETRY_POLICY, type JobRetryPolicy } from "../decide-job-retry.ts";
import { DEFAULT_POLL_DELAY, type PollDelayConfig } from "../decide-poll-delay.ts";
import { DEFAULT_WORKER_LIFECYCLE, type WorkerLifecycleConfig } from "../decide-worker-phase.ts";
import type { MachineGuest } from "../machine-guest.ts";
import { FLY_PRICES_2026, type MachinePriceTable, priceMachineTime } from "../price-machine-time.ts";
import { DEFAULT_SPLIT, type SplitSettings, splitSettings } from "../split/plan-chunks.ts";
import { DEFAULT_JOB_TIME_MODEL, type JobTimeModel } from "./job-time-model.ts";

export interface SimulationSettings {
  readonly admission: AdmissionConfig;
  readonly acceptance: AcceptanceLimits;
  readonly lifecycle: WorkerLifecycleConfig;
  readonly pollDelay: PollDelayConfig;
  readonly retryPolicy: JobRetryPolicy;
  readonly leaseMs: number;
  readonly heartbeatMs: number;
  readonly stopGraceMs: number;
  readonly cronIntervalMs: number;
  /** Machine create → its worker registered (image pull, VM boot, Bun start); each boot varies by ±bootJitter. */
  readonly bootMs: number;
  readonly bootJitter: number;
  /** Upload done → the job pending (the storage event through the queue to intake). */
  readonly intakeMs: number;
  /** Work seen waiting → a nudged idle worker polls (SIGUSR1 through Fly's API). */
  readonly nudgeMs: number;
  /** Chance that a machine dies during a task (its lease then lapses and the sweep requeues the task). */
  readonly crashProbability: number;
  /** null: jobs are never split. */
  readonly split: SplitSettings | null;
  readonly guest: MachineGuest;
  readonly prices: MachinePriceTable;
  readonly jobTime: JobTimeModel;
  /** Re-encodes (what a split deploy splits) at least this long (media seconds) get their own percentiles. */
  readonly longJobS: number;
}

/** The shipped settings' defaults (shell/control-plane/config/control-plane-env.ts; a unit test keeps them equal). */
export const REPO_DEFAULTS = {
  maxMachines: 5,
  spawnRateMax: 3,
  spawnRateWindowMs: 10_000,
  capacityRetryMs: 30_000,
  monthlyBudgetUsd: 50,
  maxPendingJobs: 1000,
  leaseMs: 30_000,
  heartbeatMs: 10_000,
  stopGraceMs: 5_000,
  poolGuest: { cpuKind: "performance", cpus: 2, memoryMb: 4096 } as MachineGuest,
} as const;

/** Splitting as a deploy ships it: SPLIT_AFTER_SECONDS 120, SPLIT_CHUNK_SECONDS 60 (on the 4 s HLS segment grid). */
export const SHIPPED_SPLIT: SplitSettings = splitSettings(DEFAULT_SPLIT);

export interface SettingsOverrides {
  readonly maxMachines?: number;
  readonly monthlyBudgetUsd?: number;
  readonly maxPendingJobs?: number;
  readonly ttlMs?: number;
  readonly maxJobs?: number;
  readonly drainBufferMs?: number;
  readonly idleExitMs?: number;
  readonly split?: SplitSettings | null;
  readonly bootMs?: number;
  readonly crashProbability?: number;
  readonly jobTime?: JobTimeModel;
}

/**
 * Settings as a deploy with these overrides would run. Boot: FACTS.md (Fly's docs) gives "seconds to low tens of
 * seconds" for a create that pulls the image (300 ms to start a stopped machine); 15 s ± 30 % is the middle of
 * that, not a measurement. Intake and nudge latencies are bench figures (dispatch_event_to_pending_ms, and
 * dispatch_ms_p50 for a warm worker's pickup).
 */
export const simulationSettings = (overrides: SettingsOverrides = {}): SimulationSettings => {
  const lifecycle: WorkerLifecycleConfig = {
    ttlMs: overrides.ttlMs ?? DEFAULT_WORKER_LIFECYCLE.ttlMs,
    maxJobs: overrides.maxJobs ?? DEFAULT_WORKER_LIFECYCLE.maxJobs,
    drainBufferMs: overrides.drainBufferMs ?? DEFAULT_WORKER_LIFECYCLE.drainBufferMs,
    idleExitMs: overrides.idleExitMs ?? DEFAULT_WORKER_LIFECYCLE.idleExitMs,
  };
  const guest = REPO_DEFAULTS.poolGuest;
  const budget = overrides.monthlyBudgetUsd ?? REPO_DEFAULTS.monthlyBudgetUsd;
  // As the control plane's config computes it: a machine's whole life at the pool guest's price.
  const machineMaxCostUsd = Math.max(1e-6, priceMachineTime(guest, lifecycle.ttlMs / 1000, FLY_PRICES_2026));
  return {
    admission: {
      maxMachines: overrides.maxMachines ?? REPO_DEFAULTS.maxMachines,
      spawnRate: { maxSpawns: REPO_DEFAULTS.spawnRateMax, windowMs: REPO_DEFAULTS.spawnRateWindowMs },
      monthlyBudgetUsd: budget,
      machineMaxCostUsd,
      capacityRetryMs: REPO_DEFAULTS.capacityRetryMs,
    },
    acceptance: {
      monthlyBudgetUsd: budget,
      machineMaxCostUsd,
      maxPendingJobs: overrides.maxPendingJobs ?? REPO_DEFAULTS.maxPendingJobs,
      retryAfterMs: REPO_DEFAULTS.capacityRetryMs,
    },
    lifecycle,
    pollDelay: DEFAULT_POLL_DELAY,
    retryPolicy: DEFAULT_JOB_RETRY_POLICY,
    leaseMs: REPO_DEFAULTS.leaseMs,
    heartbeatMs: REPO_DEFAULTS.heartbeatMs,
    stopGraceMs: REPO_DEFAULTS.stopGraceMs,
    cronIntervalMs: 60_000,
    bootMs: overrides.bootMs ?? 15_000,
    bootJitter: 0.3,
    intakeMs: 8,
    nudgeMs: 138,
    crashProbability: overrides.crashProbability ?? 0.001,
    split: overrides.split === undefined ? null : overrides.split,
    guest,
    prices: FLY_PRICES_2026,
    jobTime: overrides.jobTime ?? DEFAULT_JOB_TIME_MODEL,
    longJobS: 600,
  };
};
