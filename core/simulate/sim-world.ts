// The state of a simulated month: the clock and event queue, jobs, tasks and machines, the control plane's view
// (slots, spawns, spend) and the running figures; with the bookkeeping the control plane and the workers share.
import { priceMachineTime } from "../price-machine-time.ts";
import { EventQueue } from "./event-queue.ts";
import { PendingQueue } from "./pending-queue.ts";
import type { SimulationRandom } from "./prng.ts";
import { JobTable, MachineTable, TaskTable } from "./sim-tables.ts";
import { type SimulationResult, summarize, type TraceMachine, type TraceRun } from "./simulation-result.ts";
import type { SimulationSettings } from "./simulation-settings.ts";
import { f64, grown } from "./typed-rows.ts";
import { type Arrivals, createArrivals, type Workload } from "./workloads.ts";

/** Event kinds; `a` and `b` are a machine and its generation, a task, or a count of waits. */
export const Ev = {
  Arrival: 0,
  Booted: 1,
  Poll: 2,
  Done: 3,
  Crash: 4,
  Cron: 5,
  Admit: 6,
} as const;

/**
 * Machine states. Idle: waiting for its next poll, in the idle list (a nudge can wake it). Waking: nudged, its
 * poll comes at once. Dead: died mid-task; its lease stands until it lapses and the sweep frees its slot.
 */
export const M = { Free: 0, Booting: 1, Idle: 2, Waking: 3, Busy: 4, Dead: 5 } as const;

/**
 * Task kinds: a whole job; or a long job's steps: its split (the claim that probes, scans the keyframes and queues
 * the tasks), its audio, one chunk, the stitch that completes it.
 */
export const T = { Whole: 0, Split: 1, Audio: 2, Chunk: 3, Stitch: 4 } as const;
export type TaskKind = (typeof T)[keyof typeof T];

export interface DeadMachine {
  readonly machine: number;
  readonly task: number;
  readonly crashedAt: number;
  readonly leaseExpiresAt: number;
}

export class SimWorld {
  readonly queue = new EventQueue();
  now = 0;
  readonly horizonMs: number;
  readonly arrivals: Arrivals;
  /** Chance on the machines' side: boot times, poll jitter, crashes. */
  readonly random: () => number;

  readonly jobs = new JobTable();
  readonly tasks = new TaskTable();
  readonly machines = new MachineTable();
  private taskSerials = 0;
  machineSerials = 0;
  /** jobs:pending: claimable tasks and tasks backing off before a retry, by score. */
  readonly pending = new PendingQueue();
  readonly dead: DeadMachine[] = [];

  /** The control plane's counts: machines booting, registered (dead ones until swept), running a task. */
  reserved = 0;
  live = 0;
  busy = 0;
  /** Released machines' slot-free times (the stop grace), oldest first. */
  readonly exiting: number[] = [];
  readonly recentSpawns: number[] = [];
  lastAdmissionRejected = false;
  /** workers:commitments: how many machines hold one, and their sum (USD). */
  commitments = 0;
  committedUsd = 0;

  readonly c = {
    arrived: 0,
    refusedBudget: 0,
    refusedBacklog: 0,
    completed: 0,
    failed: 0,
    overBudget: 0,
    splitJobs: 0,
    chunkTasks: 0,
    crashes: 0,
    requeues: 0,
    machinesStarted: 0,
    admissionRejects: 0,
    idleExits: 0,
    emptyPolls: 0,
    events: 0,
    maxMachinesAtOnce: 0,
    billedMs: 0,
    busyMs: 0,
    bootMs: 0,
    costUsd: 0,
    spentUsd: 0,
    /** Busy machine time of split jobs' tasks (split step, audio, chunks, stitch), and what one pass would take. */
    splitBusyMs: 0,
    splitSinglePassMs: 0,
  };
  private latencies = f64(1024);
  private latencyCount = 0;
  private readonly longLatencies: number[] = [];
  readonly runs: TraceRun[] | null;
  private readonly lives: TraceMachine[] | null;

  constructor(
    readonly workload: Workload,
    readonly s: SimulationSettings,
    readonly streams: SimulationRandom,
    trace: boolean,
  ) {
    this.horizonMs = workload.days * 86_400_000;
    this.arrivals = createArrivals(workload, streams.arrivals);
    this.random = streams.machines;
    this.runs = trace ? [] : null;
    this.lives = trace ? [] : null;
  }

  newTask(job: number, kind: TaskKind, seconds: number): number {
    const task = this.tasks.take();
    this.tasks.job[task] = job;
    this.tasks.kind[task] = kind;
    this.tasks.workMs[task] = seconds * 1000;
    this.tasks.limitMs[task] = 0;
    this.tasks.refused[task] = 0;
    this.tasks.attempts[task] = 0;
    this.tasks.machine[task] = -1;
    this.tasks.serial[task] = this.taskSerials++;
    return task;
  }

  /** A task joins jobs:pending at `score` (its job's place, or a retry's availableAt). */
  queueTask(task: number, score = this.now): void {
    this.pending.push(task, score, this.now);
  }

  /** The lowest-scored claimable task of a job still alive; tasks of failed jobs are dropped on the way (-1: none). */
  claimTask(): number {
    for (let task = this.pending.pop(this.now); task >= 0; task = this.pending.pop(this.now)) {
      if (this.jobs.failed[this.tasks.job[task] as number] === 0) return task;
      this.tasks.give(task);
    }
    return -1;
  }

  /** What admission reads from workers:commitments: what committed machines may cost beyond their reservation. */
  beyondTtlUsd(): number {
    return Math.max(0, this.committedUsd - this.commitments * this.s.admission.machineMaxCostUsd);
  }

  /** Sets (0: drops) a machine's commitment. */
  commit(machine: number, usd: number): void {
    const old = this.machines.commitUsd[machine] as number;
    if (old > 0) {
      this.commitments--;
      this.committedUsd -= old;
    }
    if (usd > 0) {
      this.commitments++;
      this.committedUsd += usd;
    }
    if (this.commitments === 0) this.committedUsd = 0; // no float crumbs left behind
    this.machines.commitUsd[machine] = usd;
  }

  /** A job is ready: its upload-to-ready time goes into the figures, and its row is free again. */
  complete(job: number): void {
    const latencyS = (this.now - (this.jobs.upload[job] as number)) / 1000;
    if (this.latencyCount === this.latencies.length) {
      this.latencies = grown(this.latencies, f64, this.latencyCount * 2);
    }
    this.latencies[this.latencyCount++] = latencyS;
    if (this.jobs.long[job] === 1) this.longLatencies.push(latencyS);
    this.c.completed++;
    this.jobs.give(job);
  }

  /** Bills a machine's life (create to `endedAt`, as Fly does) and frees its row; answers what it cost. */
  release(machine: number, endedAt: number, slotFreedAt: number): number {
    const m = this.machines;
    const billedMs = endedAt - (m.created[machine] as number);
    this.c.billedMs += billedMs;
    this.c.busyMs += m.busyMs[machine] as number;
    const cost = priceMachineTime(this.s.guest, billedMs / 1000, this.s.prices);
    this.c.costUsd += cost;
    this.lives?.push({
      machine: m.serial[machine] as number,
      createdMs: m.created[machine] as number,
      startedMs: m.started[machine] as number,
      endedMs: endedAt,
      slotFreedMs: slotFreedAt,
      idleMs: endedAt - (m.started[machine] as number) - (m.busyMs[machine] as number),
    });
    this.commit(machine, 0);
    m.state[machine] = M.Free;
    m.nextGen(machine);
    m.give(machine);
    return cost;
  }

  result(): SimulationResult {
    return summarize({
      ...this.c,
      accepted: this.c.arrived - this.c.refusedBudget - this.c.refusedBacklog,
      latenciesS: this.latencies.subarray(0, this.latencyCount),
      longLatenciesS: this.longLatencies,
      endMs: this.now,
      pricePerSecondUsd: priceMachineTime(this.s.guest, 1e6, this.s.prices) / 1e6,
      trace: this.runs === null || this.lives === null ? null : { runs: this.runs, machines: this.lives },
    });
  }
}
