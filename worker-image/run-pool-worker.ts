// Pool mode (RWOS): register the machine's lease → claim and run jobs while the core says so → release → exit.
// A heartbeat keeps the lease alive throughout; a stop signal or a lost lease hands the running job back.
import type { ResultAsync } from "neverthrow";
import { decidePollDelay, type PollDelayConfig } from "../core/decide-poll-delay.ts";
import { decideWorkerPhase, idleExitAt, type WorkerLifecycleConfig } from "../core/decide-worker-phase.ts";
import { FLY_PRICES_2026, priceMachineTime } from "../core/price-machine-time.ts";
import type { JobStore } from "../shell/redis/job-store.ts";
import type { MachineRelease, MachineStoreError, Registration } from "../shell/redis/machine-store.ts";
import { checkJobCost, type JobCostDeps } from "./check-job-cost.ts";
import { leaseLost, workerStopped } from "./job-failure.ts";
import { type ClaimedJobDeps, runClaimedJob } from "./run-claimed-job.ts";

/** The machine's own lease, bound to its id and lease length. */
export interface MachineLease {
  register(): ResultAsync<Registration, MachineStoreError>;
  heartbeat(): ResultAsync<{ readonly expiresAt: number }, MachineStoreError>;
  release(costUsd: number): ResultAsync<MachineRelease, MachineStoreError>;
}

export interface PoolWorkerDeps extends Omit<ClaimedJobDeps, "jobs" | "admitPlan"> {
  readonly jobs: Pick<JobStore, "claim" | "transitionFrom" | "load">;
  readonly lease: MachineLease;
  /** Raises this machine's whole-life commitment for a job that may keep it past its TTL (commit-machine-cost). */
  readonly commitCost: JobCostDeps["commit"];
  readonly lifecycle: WorkerLifecycleConfig;
  readonly pollDelay: PollDelayConfig;
  readonly heartbeatMs: number;
  /** Aborted (with the signal's name as reason) when the process is told to stop. */
  readonly stop: AbortSignal;
  /** A random number in [0, 1), for poll jitter. */
  readonly random: () => number;
  /** A fresh fencing token for each claim. */
  readonly newLeaseToken: () => string;
  /** Resolves when every background callback has settled (each is bounded). */
  readonly settleCallbacks: () => Promise<void>;
  /**
   * Subscribes to nudges (SIGUSR1: the control plane saw work waiting while this machine idled); answers the
   * unsubscribe. A nudge cuts an idle pause short.
   */
  readonly onNudge: (listener: () => void) => () => void;
}

export interface WorkerExit {
  readonly code: number;
  readonly reason: string;
}

const describe = (error: MachineStoreError): string =>
  "message" in error ? `${error.kind}: ${error.message}` : error.kind;

/** Resolves after `ms`, or at once when `signal` aborts or a nudge comes. */
const pause = (ms: number, signal: AbortSignal, onNudge: PoolWorkerDeps["onNudge"]): Promise<boolean> =>
  new Promise((resolve) => {
    let unsubscribe = () => {};
    const done = (nudged: boolean) => {
      clearTimeout(timer);
      signal.removeEventListener("abort", aborted);
      unsubscribe();
      resolve(nudged);
    };
    const aborted = () => done(false);
    const timer = setTimeout(() => done(false), ms);
    signal.addEventListener("abort", aborted, { once: true });
    unsubscribe = onNudge(() => done(true));
    if (signal.aborted) done(false);
  });

const heartbeatLoop = (deps: PoolWorkerDeps, lost: AbortController) => {
  let inFlight = false;
  const timer = setInterval(async () => {
    if (inFlight || lost.signal.aborted) return;
    inFlight = true;
    const beat = await deps.lease.heartbeat();
    inFlight = false;
    if (beat.isOk()) return;
    if (beat.error.kind === "lease-lost") lost.abort("lease-lost");
    // A missed beat is not fatal: the lease outlives a few of them, and the next one may get through.
    deps.log("heartbeat-failed", { reason: describe(beat.error) });
  }, deps.heartbeatMs);
  return () => clearInterval(timer);
};

export const runPoolWorker = async (deps: PoolWorkerDeps): Promise<WorkerExit> => {
  const startedAt = deps.clock();
  const registered = await deps.lease.register();
  if (registered.isErr()) {
    const { error } = registered;
    // Refused (no slot, or a lease that already lapsed): another machine does the work; not an error.
    const refused = error.kind === "no-free-slot" || error.kind === "lease-lost";
    return { code: refused ? 0 : 1, reason: `registration refused: ${describe(error)}` };
  }
  deps.log("worker-registered", { machineId: deps.machineId, how: registered.value.kind });
  const admitPlan = checkJobCost({
    machineId: deps.machineId,
    guest: deps.guest,
    machineStartedAt: startedAt,
    machineTtlMs: deps.lifecycle.ttlMs,
    clock: deps.clock,
    commit: deps.commitCost,
  });

  const lost = new AbortController();
  const stopHeartbeat = heartbeatLoop(deps, lost);
  const halt = AbortSignal.any([deps.stop, lost.signal]);
  const stop = {
    signal: halt,
    failure: () =>
      lost.signal.aborted ? leaseLost(deps.machineId) : workerStopped(String(deps.stop.reason)),
  };
  let jobsDone = 0;
  let emptyPolls = 0;
  let reason = "";
  let idleSince = startedAt;
  let workExpectedAt: number | null = null;
  for (;;) {
    const phase = decideWorkerPhase(
      {
        startedAt,
        now: deps.clock(),
        registered: true,
        jobsDone,
        busy: false,
        stopRequested: halt.aborted,
        idleSince,
        workExpectedAt,
      },
      deps.lifecycle,
    );
    // An idle worker takes one last look before it leaves: a job that came since its last poll is not stranded.
    const lastLook = phase.reason === "idle";
    if (!phase.canClaim && !lastLook) {
      reason = lost.signal.aborted ? "lease-lost" : phase.reason;
      break;
    }
    const claim = await deps.jobs.claim(deps.machineId, deps.newLeaseToken());
    if (claim.isOk() && claim.value.kind === "claimed") {
      const { job, meta } = claim.value;
      const outcome = await runClaimedJob(job, { ...deps, admitPlan }, stop, meta);
      deps.log("job-finished", { jobId: job.jobId, ...outcome });
      // Splitting a job, a chunk or the audio are parts of a job: the machine's job budget counts whole jobs.
      const part = outcome.kind === "split" || meta.task?.kind === "chunk" || meta.task?.kind === "audio";
      if (!part) jobsDone += 1;
      emptyPolls = 0;
      idleSince = deps.clock();
      continue;
    }
    if (claim.isOk() && claim.value.kind === "no-lease") lost.abort("lease-lost");
    if (claim.isErr()) deps.log("claim-failed", { reason: claim.error.kind });
    const waitMs = claim.isOk() && claim.value.kind === "empty" ? claim.value.waitMs : null;
    // A job waiting out its retry backoff is work to come: the worker stays for it.
    if (waitMs !== null) workExpectedAt = deps.clock();
    if (lastLook && waitMs === null) {
      reason = lost.signal.aborted ? "lease-lost" : "idle";
      break;
    }
    emptyPolls += 1;
    const delay = decidePollDelay(
      {
        justFinishedJob: false,
        workHinted: waitMs === 0,
        consecutiveEmptyPolls: emptyPolls,
        jitter: deps.random(),
      },
      deps.pollDelay,
    );
    // A backed-off job becoming claimable sooner than the next poll is worth waking for, and so is the moment the
    // worker turns idle (it looks once more, then leaves).
    const untilIdleMs = Math.max(0, idleExitAt({ idleSince, workExpectedAt }, deps.lifecycle) - deps.clock());
    const nudged = await pause(
      Math.min(delay.delayMs, waitMs ?? Number.POSITIVE_INFINITY, untilIdleMs),
      halt,
      deps.onNudge,
    );
    // Told that work waits: poll at once, and from the shortest backoff again if someone else took it.
    if (nudged) {
      emptyPolls = 0;
      workExpectedAt = deps.clock();
    }
  }
  stopHeartbeat();
  // Release before waiting on callbacks: the slot is free by the time the control plane hears of the last job
  // (and looks for room to start another machine), and a stop's grace period is spent on what matters.
  const lifetimeSeconds = Math.max(0, (deps.clock() - startedAt) / 1000);
  const released = await deps.lease.release(priceMachineTime(deps.guest, lifetimeSeconds, FLY_PRICES_2026));
  await deps.settleCallbacks();
  if (released.isErr()) return { code: 1, reason: `release failed: ${describe(released.error)}` };
  deps.log("worker-released", { machineId: deps.machineId, jobsDone, reason, lifetimeSeconds });
  return lost.signal.aborted
    ? { code: 1, reason: `lost the machine lease after ${jobsDone} job(s)` }
    : { code: 0, reason: `${reason} after ${jobsDone} job(s)` };
};
