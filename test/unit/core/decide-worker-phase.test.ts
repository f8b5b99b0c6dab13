// Given / when / then table for a worker's phase: starting, active, draining (a job finishing), exiting (stopped,
// its job budget or TTL spent, or idle with no work expected).
import { describe, expect, it } from "vitest";
import {
  DEFAULT_WORKER_LIFECYCLE,
  decideWorkerPhase,
  idleExitAt,
  type WorkerLifecycleConfig,
  type WorkerPhaseDecision,
  type WorkerPhaseInput,
  workerLifecycleConfig,
} from "../../../core/decide-worker-phase.ts";

const START = 1_700_000_000_000;
const CONFIG = workerLifecycleConfig({ ttlMs: 300_000, maxJobs: 3, drainBufferMs: 60_000 });
// Claiming stops at START + ttl - drainBuffer.
const DRAIN_AT = START + 240_000;
const fresh: WorkerPhaseInput = {
  startedAt: START,
  now: START + 1_000,
  registered: true,
  jobsDone: 0,
  busy: false,
  stopRequested: false,
  idleSince: START,
  workExpectedAt: null,
};
// The default idle exit: 20 s after the last job (or the start) with no sign of work since.
const IDLE_MS = 20_000;

const cases: { name: string; given: Partial<WorkerPhaseInput>; then: WorkerPhaseDecision }[] = [
  {
    name: "not registered yet",
    given: { registered: false },
    then: { phase: "starting", canClaim: false, reason: "not-registered" },
  },
  {
    name: "not registered even if a stop was requested",
    given: { registered: false, stopRequested: true },
    then: { phase: "starting", canClaim: false, reason: "not-registered" },
  },
  {
    name: "registered and idle",
    given: {},
    then: { phase: "active", canClaim: true, reason: "has-capacity" },
  },
  {
    name: "one job done, time left",
    given: { jobsDone: 2 },
    then: { phase: "active", canClaim: true, reason: "has-capacity" },
  },
  {
    name: "stop requested while busy",
    given: { stopRequested: true, busy: true },
    then: { phase: "draining", canClaim: false, reason: "stop-requested" },
  },
  {
    name: "stop requested while idle",
    given: { stopRequested: true },
    then: { phase: "exiting", canClaim: false, reason: "stop-requested" },
  },
  {
    name: "job budget spent, last job still running",
    given: { jobsDone: 3, busy: true },
    then: { phase: "draining", canClaim: false, reason: "job-budget-spent" },
  },
  {
    name: "job budget spent, idle",
    given: { jobsDone: 3 },
    then: { phase: "exiting", canClaim: false, reason: "job-budget-spent" },
  },
  {
    name: "just before the drain point",
    given: { now: DRAIN_AT - 1, idleSince: DRAIN_AT - 5_000 },
    then: { phase: "active", canClaim: true, reason: "has-capacity" },
  },
  {
    name: "at the drain point, busy",
    given: { now: DRAIN_AT, busy: true },
    then: { phase: "draining", canClaim: false, reason: "ttl-reached" },
  },
  {
    name: "at the drain point, idle",
    given: { now: DRAIN_AT },
    then: { phase: "exiting", canClaim: false, reason: "ttl-reached" },
  },
  {
    name: "past the TTL with a job still running: it may finish",
    given: { now: START + 400_000, busy: true },
    then: { phase: "draining", canClaim: false, reason: "ttl-reached" },
  },
  {
    name: "idle just under the idle timeout since it started",
    given: { now: START + IDLE_MS - 1 },
    then: { phase: "active", canClaim: true, reason: "has-capacity" },
  },
  {
    name: "idle for the idle timeout since it started, no work expected",
    given: { now: START + IDLE_MS },
    then: { phase: "exiting", canClaim: false, reason: "idle" },
  },
  {
    name: "idle for the idle timeout since its last job",
    given: { jobsDone: 2, idleSince: START + 90_000, now: START + 90_000 + IDLE_MS },
    then: { phase: "exiting", canClaim: false, reason: "idle" },
  },
  {
    name: "idle as long, but nudged by the control plane 5 s ago",
    given: { now: START + 60_000, workExpectedAt: START + 55_000 },
    then: { phase: "active", canClaim: true, reason: "has-capacity" },
  },
  {
    name: "idle as long, but a job waiting out its retry backoff was seen 1 s ago",
    given: { now: START + 60_000, workExpectedAt: START + 59_000 },
    then: { phase: "active", canClaim: true, reason: "has-capacity" },
  },
  {
    name: "the last sign of work is the idle timeout old",
    given: { now: START + 60_000, workExpectedAt: START + 60_000 - IDLE_MS },
    then: { phase: "exiting", canClaim: false, reason: "idle" },
  },
  {
    name: "running a job longer than the idle timeout",
    given: { now: START + 100_000, busy: true },
    then: { phase: "active", canClaim: true, reason: "has-capacity" },
  },
  {
    name: "idle past the timeout and told to stop: the stop is the reason",
    given: { now: START + 100_000, stopRequested: true },
    then: { phase: "exiting", canClaim: false, reason: "stop-requested" },
  },
  {
    name: "idle past the timeout and past the drain point: the TTL is the reason",
    given: { now: DRAIN_AT },
    then: { phase: "exiting", canClaim: false, reason: "ttl-reached" },
  },
];

describe("decideWorkerPhase", () => {
  it.each(cases)("given $name, then $then.phase", ({ given, then }) => {
    expect(decideWorkerPhase({ ...fresh, ...given }, CONFIG)).toStrictEqual(then);
  });
});

describe("workerLifecycleConfig", () => {
  it("defaults to 5 minutes, 3 jobs, a 60 s drain buffer and a 20 s idle exit", () => {
    expect(workerLifecycleConfig()).toStrictEqual(DEFAULT_WORKER_LIFECYCLE);
    expect(DEFAULT_WORKER_LIFECYCLE).toStrictEqual({
      ttlMs: 300_000,
      maxJobs: 3,
      drainBufferMs: 60_000,
      idleExitMs: 20_000,
    });
  });

  it.each<{ name: string; overrides: Partial<WorkerLifecycleConfig> }>([
    { name: "a zero TTL", overrides: { ttlMs: 0 } },
    { name: "zero jobs", overrides: { maxJobs: 0 } },
    { name: "fractional jobs", overrides: { maxJobs: 1.5 } },
    { name: "a negative drain buffer", overrides: { drainBufferMs: -1 } },
    { name: "a drain buffer equal to the TTL", overrides: { ttlMs: 60_000, drainBufferMs: 60_000 } },
    { name: "a drain buffer longer than the TTL", overrides: { ttlMs: 30_000 } },
    { name: "a zero idle exit", overrides: { idleExitMs: 0 } },
  ])("throws on $name", ({ overrides }) => {
    expect(() => workerLifecycleConfig(overrides)).toThrow(RangeError);
  });
});

describe("idleExitAt", () => {
  it("is the idle timeout after the later of the last job and the last sign of work", () => {
    expect(idleExitAt({ idleSince: START, workExpectedAt: null }, CONFIG)).toBe(START + IDLE_MS);
    expect(idleExitAt({ idleSince: START, workExpectedAt: START + 7 }, CONFIG)).toBe(START + 7 + IDLE_MS);
    expect(idleExitAt({ idleSince: START + 9, workExpectedAt: START + 7 }, CONFIG)).toBe(START + 9 + IDLE_MS);
  });
});
