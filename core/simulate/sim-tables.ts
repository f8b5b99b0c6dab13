// The simulator's jobs, tasks and machines: one typed column per field, one row per live entity.
import { f64, grown, INITIAL_ROWS, i32, Rows, u8 } from "./typed-rows.ts";

export class JobTable extends Rows {
  /** When the upload finished (ms). */
  upload = f64(INITIAL_ROWS);
  /** When it joined the pending queue (its queuedAt): the score its split tasks inherit. */
  queuedAt = f64(INITIAL_ROWS);
  durationS = f64(INITIAL_ROWS);
  /** Its preset (an index into PRESET_NAMES), source pixels and keyframe spacing: what a split plans from. */
  preset = u8(INITIAL_ROWS);
  pixels = f64(INITIAL_ROWS);
  gopS = f64(INITIAL_ROWS);
  /** Chunk and audio tasks not done yet (split jobs): the last one queues the stitch. */
  left = i32(INITIAL_ROWS);
  /** 1 once the job failed: its other tasks are dropped. */
  failed = u8(INITIAL_ROWS);
  /** 1 for a long job of a preset that is split (a re-encode), split or not: its wait is also reported apart. */
  long = u8(INITIAL_ROWS);

  protected resize(n: number): void {
    this.upload = grown(this.upload, f64, n);
    this.queuedAt = grown(this.queuedAt, f64, n);
    this.durationS = grown(this.durationS, f64, n);
    this.preset = grown(this.preset, u8, n);
    this.pixels = grown(this.pixels, f64, n);
    this.gopS = grown(this.gopS, f64, n);
    this.left = grown(this.left, i32, n);
    this.failed = grown(this.failed, u8, n);
    this.long = grown(this.long, u8, n);
  }
}

export class TaskTable extends Rows {
  job = i32(INITIAL_ROWS);
  kind = u8(INITIAL_ROWS);
  workMs = f64(INITIAL_ROWS);
  /** A whole job's ffmpeg time limits added up (ms): what its cost check estimates from. */
  limitMs = f64(INITIAL_ROWS);
  /** This attempt was refused by the job's cost check: it ends after its set-up, failed `over-budget`. */
  refused = u8(INITIAL_ROWS);
  /** With `refused`: whether the refusal may be retried (only other machines' commitments were in the way). */
  retryable = u8(INITIAL_ROWS);
  /** Claims so far (the retry policy's attempts). */
  attempts = i32(INITIAL_ROWS);
  /** The machine running it, or -1. */
  machine = i32(INITIAL_ROWS);
  /** Unique over the run (rows are reused), for traces. */
  serial = i32(INITIAL_ROWS);

  protected resize(n: number): void {
    this.job = grown(this.job, i32, n);
    this.kind = grown(this.kind, u8, n);
    this.workMs = grown(this.workMs, f64, n);
    this.limitMs = grown(this.limitMs, f64, n);
    this.refused = grown(this.refused, u8, n);
    this.retryable = grown(this.retryable, u8, n);
    this.attempts = grown(this.attempts, i32, n);
    this.machine = grown(this.machine, i32, n);
    this.serial = grown(this.serial, i32, n);
  }
}

export class MachineTable extends Rows {
  state = u8(INITIAL_ROWS);
  /** Bumped whenever the machine's next event changes: events of an older generation are stale. */
  gen = i32(INITIAL_ROWS);
  created = f64(INITIAL_ROWS);
  started = f64(INITIAL_ROWS);
  busyMs = f64(INITIAL_ROWS);
  taskStart = f64(INITIAL_ROWS);
  task = i32(INITIAL_ROWS);
  jobsDone = i32(INITIAL_ROWS);
  emptyPolls = i32(INITIAL_ROWS);
  /** The worker's idle clock: when it last finished a task (or registered), and last learned work is coming (NaN: never). */
  idleSince = f64(INITIAL_ROWS);
  workExpectedAt = f64(INITIAL_ROWS);
  /** Its entry in workers:commitments (USD), 0 for none: a job that may keep it past its TTL. */
  commitUsd = f64(INITIAL_ROWS);
  /** Place in the idle list. */
  idlePos = i32(INITIAL_ROWS);
  serial = i32(INITIAL_ROWS);
  /** Machines waiting for a poll, in no order. */
  idle = i32(INITIAL_ROWS);
  idleCount = 0;

  protected resize(n: number): void {
    this.state = grown(this.state, u8, n);
    this.gen = grown(this.gen, i32, n);
    this.created = grown(this.created, f64, n);
    this.started = grown(this.started, f64, n);
    this.busyMs = grown(this.busyMs, f64, n);
    this.taskStart = grown(this.taskStart, f64, n);
    this.task = grown(this.task, i32, n);
    this.jobsDone = grown(this.jobsDone, i32, n);
    this.emptyPolls = grown(this.emptyPolls, i32, n);
    this.idleSince = grown(this.idleSince, f64, n);
    this.workExpectedAt = grown(this.workExpectedAt, f64, n);
    this.commitUsd = grown(this.commitUsd, f64, n);
    this.idlePos = grown(this.idlePos, i32, n);
    this.serial = grown(this.serial, i32, n);
    this.idle = grown(this.idle, i32, n);
  }

  /** A new generation for the machine; answers it. */
  nextGen(machine: number): number {
    const gen = (this.gen[machine] as number) + 1;
    this.gen[machine] = gen;
    return gen;
  }

  addIdle(machine: number): void {
    this.idle[this.idleCount] = machine;
    this.idlePos[machine] = this.idleCount++;
  }

  removeIdle(machine: number): void {
    const pos = this.idlePos[machine] as number;
    const last = this.idle[--this.idleCount] as number;
    this.idle[pos] = last;
    this.idlePos[last] = pos;
  }
}
