// The simulated pool workers, on the core's own decisions: register after boot, claim while decideWorkerPhase
// allows, poll as decidePollDelay says when nothing waits, run a task (or die during it), leave and be billed.
import { decidePollDelay } from "../decide-poll-delay.ts";
import { decideWorkerPhase } from "../decide-worker-phase.ts";
import { admitAndNudge, queueStitch } from "./sim-control-plane.ts";
import { Ev, M, type SimWorld, T, type TaskKind } from "./sim-world.ts";
import type { TraceRun } from "./simulation-result.ts";

export const onBooted = (w: SimWorld, machine: number): void => {
  w.reserved--;
  w.live++;
  w.machines.started[machine] = w.now;
  w.c.bootMs += w.now - (w.machines.created[machine] as number);
  workerStep(w, machine);
};

export const onPoll = (w: SimWorld, machine: number): void => {
  if (w.machines.state[machine] === M.Idle) w.machines.removeIdle(machine);
  workerStep(w, machine);
};

/** One turn of the pool worker's loop: may it claim (the core's phase)? then claim, or wait as the policy says. */
const workerStep = (w: SimWorld, machine: number): void => {
  const m = w.machines;
  const phase = decideWorkerPhase(
    {
      startedAt: m.started[machine] as number,
      now: w.now,
      registered: true,
      jobsDone: m.jobsDone[machine] as number,
      busy: false,
      stopRequested: false,
      // Not modelled yet (the merge only keeps the engine compiling): a worker never counts as idle.
      idleSince: w.now,
      workExpectedAt: null,
    },
    w.s.lifecycle,
  );
  if (!phase.canClaim) {
    exit(w, machine);
    return;
  }
  const task = w.claimTask();
  if (task >= 0) {
    startTask(w, machine, task);
    return;
  }
  const emptyPolls = (m.emptyPolls[machine] as number) + 1;
  m.emptyPolls[machine] = emptyPolls;
  w.c.emptyPolls++;
  // The claim's reply says when the first backed-off task becomes claimable: the worker wakes for it.
  let waitMs = Number.POSITIVE_INFINITY;
  for (const d of w.delayed) waitMs = Math.min(waitMs, Math.max(0, d.at - w.now));
  const delay = decidePollDelay(
    {
      justFinishedJob: false,
      workHinted: waitMs === 0,
      consecutiveEmptyPolls: emptyPolls,
      jitter: w.random(),
    },
    w.s.pollDelay,
  );
  m.state[machine] = M.Idle;
  m.addIdle(machine);
  w.queue.push(w.now + Math.min(delay.delayMs, waitMs), Ev.Poll, machine, m.nextGen(machine));
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
  const work = w.tasks.workMs[task] as number;
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

export const onDone = (w: SimWorld, machine: number): void => {
  const task = endRun(w, machine, "done");
  w.busy--;
  w.machines.jobsDone[machine] = (w.machines.jobsDone[machine] as number) + 1;
  w.machines.emptyPolls[machine] = 0;
  finishTask(w, task);
  // Commit-and-claim: the worker takes its next task in the same step; then its callback reaches the control
  // plane, which admits and nudges for whatever still waits.
  workerStep(w, machine);
  admitAndNudge(w, 0);
};

const finishTask = (w: SimWorld, task: number): void => {
  const job = w.tasks.job[task] as number;
  const kind = w.tasks.kind[task] as TaskKind;
  w.tasks.give(task);
  if (w.jobs.failed[job] === 1) return;
  if (kind === T.Chunk) {
    const left = (w.jobs.left[job] as number) - 1;
    w.jobs.left[job] = left;
    if (left === 0) queueStitch(w, job);
    return;
  }
  w.complete(job);
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
