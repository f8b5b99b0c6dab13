// The simulated pool workers, on the core's own decisions (worker-image/run-pool-worker.ts): register after boot,
// claim while decideWorkerPhase allows, take one last look and leave once idle for idleExitMs, poll as
// decidePollDelay says, check a whole job's cost against the budget before it encodes, run a task (or die during
// it), leave and be billed.
import { checkJobBudget, decideJobCost, estimateJobCost } from "../decide-job-cost.ts";
import { decideJobRetry } from "../decide-job-retry.ts";
import { decidePollDelay } from "../decide-poll-delay.ts";
import { decideWorkerPhase, idleExitAt } from "../decide-worker-phase.ts";
import { admitAndNudge, failJob, finishSplitStep, queueStitch } from "./sim-control-plane.ts";
import { Ev, M, type SimWorld, T, type TaskKind } from "./sim-world.ts";
import type { TraceRun } from "./simulation-result.ts";

export const onBooted = (w: SimWorld, machine: number): void => {
  w.reserved--;
  w.live++;
  w.machines.started[machine] = w.now;
  w.machines.idleSince[machine] = w.now;
  w.machines.workExpectedAt[machine] = Number.NaN;
  w.c.bootMs += w.now - (w.machines.created[machine] as number);
  workerStep(w, machine);
};

export const onPoll = (w: SimWorld, machine: number): void => {
  const m = w.machines;
  if (m.state[machine] === M.Idle) m.removeIdle(machine);
  // A nudge woke it: work is expected, so its idle clock starts again.
  if (m.state[machine] === M.Waking) m.workExpectedAt[machine] = w.now;
  workerStep(w, machine);
};

/** One turn of the pool worker's loop: may it claim (the core's phase)? then claim, or wait as the policy says. */
const workerStep = (w: SimWorld, machine: number): void => {
  const m = w.machines;
  const expected = m.workExpectedAt[machine] as number;
  const idle = {
    idleSince: m.idleSince[machine] as number,
    workExpectedAt: Number.isNaN(expected) ? null : expected,
  };
  const phase = decideWorkerPhase(
    {
      startedAt: m.started[machine] as number,
      now: w.now,
      registered: true,
      jobsDone: m.jobsDone[machine] as number,
      busy: false,
      stopRequested: false,
      ...idle,
    },
    w.s.lifecycle,
  );
  // An idle worker takes one last look before it leaves: a task that came since its last poll is not stranded.
  const lastLook = phase.reason === "idle";
  if (!phase.canClaim && !lastLook) {
    exit(w, machine);
    return;
  }
  const task = w.claimTask();
  if (task >= 0) {
    startTask(w, machine, task);
    return;
  }
  // The empty claim's reply says when the first backed-off task becomes claimable: work to come, it stays for it.
  const waitMs = w.pending.waitMs(w.now);
  if (waitMs !== null) {
    m.workExpectedAt[machine] = w.now;
    idle.workExpectedAt = w.now;
  }
  if (lastLook && waitMs === null) {
    w.c.idleExits++;
    exit(w, machine);
    return;
  }
  const emptyPolls = (m.emptyPolls[machine] as number) + 1;
  m.emptyPolls[machine] = emptyPolls;
  w.c.emptyPolls++;
  const delay = decidePollDelay(
    {
      justFinishedJob: false,
      workHinted: waitMs === 0,
      consecutiveEmptyPolls: emptyPolls,
      jitter: w.random(),
    },
    w.s.pollDelay,
  );
  // It wakes for the next poll, a backed-off task, or the moment it turns idle (to look once more and leave).
  const untilIdleMs = Math.max(0, idleExitAt(idle, w.s.lifecycle) - w.now);
  m.state[machine] = M.Idle;
  m.addIdle(machine);
  const pauseMs = Math.min(delay.delayMs, waitMs ?? Number.POSITIVE_INFINITY, untilIdleMs);
  w.queue.push(w.now + pauseMs, Ev.Poll, machine, m.nextGen(machine));
};

/**
 * A whole job's cost check before it encodes (worker-image/check-job-cost.ts): inside the machine's reserved life it
 * runs; past it, the machine's commitment must fit the budget next to what is spent and what the others hold.
 */
const admitPlan = (w: SimWorld, machine: number, task: number): boolean => {
  const m = w.machines;
  const estimate = estimateJobCost(
    {
      timeLimitMs: w.tasks.limitMs[task] as number,
      guest: w.s.guest,
      machineAgeMs: w.now - (m.started[machine] as number),
      machineTtlMs: w.s.lifecycle.ttlMs,
    },
    w.s.prices,
  );
  const decision = decideJobCost(estimate);
  if (decision.kind === "within-reservation") return true;
  // commit-machine-cost.lua: every other slot holds its reservation, or its commitment when that is larger.
  while (w.exiting.length > 0 && (w.exiting[0] as number) <= w.now) w.exiting.shift();
  const slots = w.reserved + w.live + w.exiting.length;
  const own = m.commitUsd[machine] as number;
  const othersCommitted = w.commitments - (own > 0 ? 1 : 0);
  const heldByOthersUsd =
    Math.max(0, slots - 1) * estimate.reservedUsd +
    Math.max(0, w.committedUsd - own - othersCommitted * estimate.reservedUsd);
  const check = checkJobBudget(estimate, {
    monthlyBudgetUsd: w.s.admission.monthlyBudgetUsd,
    spentUsd: w.c.spentUsd,
    heldByOthersUsd,
  });
  if (check.kind === "fits") {
    w.commit(machine, decision.commitmentUsd);
    return true;
  }
  w.tasks.retryable[task] = check.retryable ? 1 : 0;
  return false;
};

const startTask = (w: SimWorld, machine: number, task: number): void => {
  if (w.tasks.machine[task] !== -1)
    throw new Error(`task ${w.tasks.serial[task]} claimed while it runs elsewhere`);
  w.tasks.machine[task] = machine;
  w.tasks.attempts[task] = (w.tasks.attempts[task] as number) + 1;
  const m = w.machines;
  m.state[machine] = M.Busy;
  m.task[machine] = task;
  m.taskStart[machine] = w.now;
  w.busy++;
  const refused = w.tasks.kind[task] === T.Whole && !admitPlan(w, machine, task);
  w.tasks.refused[task] = refused ? 1 : 0;
  // A refused job ends after its set-up (the input staged, probed and planned), before ffmpeg starts.
  const work = refused ? w.s.jobTime.taskFixedS * 1000 : (w.tasks.workMs[task] as number);
  const gen = m.nextGen(machine);
  if (w.random() < w.s.crashProbability) w.queue.push(w.now + w.random() * work, Ev.Crash, machine, gen);
  else w.queue.push(w.now + work, Ev.Done, machine, gen);
};

/** The machine's task ended on it (done or crashed): the bookkeeping both share; answers the task. */
const endRun = (w: SimWorld, machine: number, outcome: TraceRun["outcome"]): number => {
  const m = w.machines;
  const task = m.task[machine] as number;
  const started = m.taskStart[machine] as number;
  m.busyMs[machine] = (m.busyMs[machine] as number) + w.now - started;
  if (w.tasks.kind[task] !== T.Whole) w.c.splitBusyMs += w.now - started;
  m.task[machine] = -1;
  w.tasks.machine[task] = -1;
  w.runs?.push({
    task: w.tasks.serial[task] as number,
    machine: m.serial[machine] as number,
    startMs: started,
    endMs: w.now,
    outcome,
  });
  return task;
};

/** Splitting a job, a chunk or the audio are parts of a job: the machine's job budget counts whole jobs. */
const isPart = (kind: TaskKind): boolean => kind === T.Split || kind === T.Chunk || kind === T.Audio;

export const onDone = (w: SimWorld, machine: number): void => {
  const task = endRun(w, machine, "done");
  const m = w.machines;
  w.busy--;
  if (!isPart(w.tasks.kind[task] as TaskKind)) m.jobsDone[machine] = (m.jobsDone[machine] as number) + 1;
  m.emptyPolls[machine] = 0;
  m.idleSince[machine] = w.now;
  finishTask(w, task);
  // Commit-and-claim: the worker takes its next task in the same step; then its callback reaches the control
  // plane, which admits and nudges for whatever still waits.
  workerStep(w, machine);
  admitAndNudge(w, 0);
};

const finishTask = (w: SimWorld, task: number): void => {
  const job = w.tasks.job[task] as number;
  const kind = w.tasks.kind[task] as TaskKind;
  if (w.tasks.refused[task] === 1) {
    refusedOverBudget(w, task);
    return;
  }
  w.tasks.give(task);
  if (w.jobs.failed[job] === 1) return;
  switch (kind) {
    case T.Split:
      finishSplitStep(w, job);
      return;
    case T.Audio:
    case T.Chunk: {
      const left = (w.jobs.left[job] as number) - 1;
      w.jobs.left[job] = left;
      if (left === 0) queueStitch(w, job);
      return;
    }
    case T.Whole:
    case T.Stitch:
      w.complete(job);
      return;
    default: {
      const unreachable: never = kind;
      throw new Error(`unknown task kind ${String(unreachable)}`);
    }
  }
};

/** The job failed `over-budget`: retried after a backoff if only other machines' commitments were in the way. */
const refusedOverBudget = (w: SimWorld, task: number): void => {
  const decision = decideJobRetry(
    {
      attempts: w.tasks.attempts[task] as number,
      error: { code: "over-budget", retryable: w.tasks.retryable[task] === 1 },
    },
    w.s.retryPolicy,
  );
  if (decision.kind === "retry") {
    w.c.requeues++;
    w.queueTask(task, w.now + decision.delayMs);
    return;
  }
  w.c.overBudget++;
  failJob(w, w.tasks.job[task] as number);
  w.tasks.give(task);
};

/** The machine dies: its task stays held by its lease (busy, for admission) until the sweep finds it lapsed. */
export const onCrash = (w: SimWorld, machine: number): void => {
  w.c.crashes++;
  const task = endRun(w, machine, "crashed");
  w.machines.state[machine] = M.Dead;
  w.machines.nextGen(machine);
  // Its lease lapses one lease length after its last heartbeat.
  const lastBeat = w.now - w.random() * w.s.heartbeatMs;
  w.dead.push({ machine, task, crashedAt: w.now, leaseExpiresAt: lastBeat + w.s.leaseMs });
};

/** The worker leaves: it charges its own life to the month, and its slot is held through the stop grace. */
const exit = (w: SimWorld, machine: number): void => {
  w.live--;
  w.exiting.push(w.now + w.s.stopGraceMs);
  w.c.spentUsd += w.release(machine, w.now, w.now + w.s.stopGraceMs);
};
