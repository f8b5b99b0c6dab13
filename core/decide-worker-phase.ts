// Where an ephemeral worker is in its life (starting, active, draining, exiting) and whether it may claim a job.

export interface WorkerLifecycleConfig {
  /** Longest a machine should live, from start. */
  readonly ttlMs: number;
  /** Jobs a machine runs before it exits. */
  readonly maxJobs: number;
  /** Claiming stops this long before the TTL, so a machine does not start a job it has no time left for. */
  readonly drainBufferMs: number;
  /**
   * An idle worker exits this long after its last job (or its start) unless work is expected: an idle machine
   * costs as much as a busy one, and the control plane starts another when work comes.
   */
  readonly idleExitMs: number;
}

export const DEFAULT_WORKER_LIFECYCLE: WorkerLifecycleConfig = {
  ttlMs: 5 * 60_000,
  maxJobs: 3,
  drainBufferMs: 60_000,
  idleExitMs: 20_000,
};

/** Builds a config from overrides on the defaults; nonsense configuration throws. */
export const workerLifecycleConfig = (
  overrides: Partial<WorkerLifecycleConfig> = {},
): WorkerLifecycleConfig => {
  const config = { ...DEFAULT_WORKER_LIFECYCLE, ...overrides };
  if (!Number.isFinite(config.ttlMs) || config.ttlMs <= 0) {
    throw new RangeError(`ttlMs must be a finite number > 0, got ${config.ttlMs}`);
  }
  if (!Number.isInteger(config.maxJobs) || config.maxJobs < 1) {
    throw new RangeError(`maxJobs must be an integer >= 1, got ${config.maxJobs}`);
  }
  if (
    !Number.isFinite(config.drainBufferMs) ||
    config.drainBufferMs < 0 ||
    config.drainBufferMs >= config.ttlMs
  ) {
    throw new RangeError(
      `drainBufferMs must be >= 0 and < ttlMs (${config.ttlMs}), got ${config.drainBufferMs}`,
    );
  }
  if (!Number.isFinite(config.idleExitMs) || config.idleExitMs <= 0) {
    throw new RangeError(`idleExitMs must be a finite number > 0, got ${config.idleExitMs}`);
  }
  return config;
};

export interface WorkerPhaseInput {
  /** When the worker process started (ms epoch). */
  readonly startedAt: number;
  readonly now: number;
  /** Whether the worker has registered its machine lease. */
  readonly registered: boolean;
  readonly jobsDone: number;
  /** Whether a job is running right now. */
  readonly busy: boolean;
  /** A stop signal (SIGTERM, SIGINT) has arrived. */
  readonly stopRequested: boolean;
  /** When the worker last finished a job, or registered if it has run none (ms epoch). */
  readonly idleSince: number;
  /**
   * The last time it learned that work is expected (ms epoch): a nudge from the control plane, or a poll that found a
   * job waiting out its retry backoff. Null if never.
   */
  readonly workExpectedAt: number | null;
}

export type WorkerPhase = "starting" | "active" | "draining" | "exiting";

export type WorkerPhaseReason =
  | "not-registered"
  | "stop-requested"
  | "job-budget-spent"
  | "ttl-reached"
  | "idle"
  | "has-capacity";

export interface WorkerPhaseDecision {
  readonly phase: WorkerPhase;
  readonly canClaim: boolean;
  readonly reason: WorkerPhaseReason;
}

/**
 * A running job is always allowed to finish, even past the TTL or after a stop signal: the job's own FFmpeg time
 * limit bounds how long draining lasts, and killing it would only waste the work and trigger a retry.
 */
export const decideWorkerPhase = (
  input: WorkerPhaseInput,
  config: WorkerLifecycleConfig,
): WorkerPhaseDecision => {
  if (!input.registered) return { phase: "starting", canClaim: false, reason: "not-registered" };
  if (input.stopRequested) return windDown(input, "stop-requested");
  if (input.jobsDone >= config.maxJobs) return windDown(input, "job-budget-spent");
  if (input.now >= input.startedAt + config.ttlMs - config.drainBufferMs)
    return windDown(input, "ttl-reached");
  if (!input.busy && input.now >= idleExitAt(input, config)) return windDown(input, "idle");
  return { phase: "active", canClaim: true, reason: "has-capacity" };
};

/** When an idle worker leaves unless a job or a sign of work comes first (ms epoch). */
export const idleExitAt = (
  input: Pick<WorkerPhaseInput, "idleSince" | "workExpectedAt">,
  config: Pick<WorkerLifecycleConfig, "idleExitMs">,
): number => Math.max(input.idleSince, input.workExpectedAt ?? input.idleSince) + config.idleExitMs;

const windDown = (input: WorkerPhaseInput, reason: WorkerPhaseReason): WorkerPhaseDecision => ({
  phase: input.busy ? "draining" : "exiting",
  canClaim: false,
  reason,
});
