// The simulated control plane, on the core's own decisions: uploads accepted or refused and planned into tasks
// (split or whole), admission and nudges on every upload, finished task and cron run, and the cron's lease sweep.
import { decideAdmission } from "../decide-admission.ts";
import { decideJobAcceptance } from "../decide-job-acceptance.ts";
import { PRESETS } from "../ffmpeg/presets.ts";
import { planLeaseSweep } from "../plan-lease-sweep.ts";
import { planChunks, shouldSplit } from "../split/plan-chunks.ts";
import { stitchSeconds, taskSeconds } from "./job-time-model.ts";
import { Ev, M, type SimWorld, T } from "./sim-world.ts";
import { drawJob } from "./workloads.ts";

/** Waits for stopping machines' slots this short are sat out (admit-and-spawn.ts does the same). */
const STOPPING_WAIT_MAX_MS = 10_000;
const STOPPING_WAITS = 2;

export const scheduleArrival = (w: SimWorld): void => {
  const at = w.arrivals.next();
  if (at < w.horizonMs) w.queue.push(at + w.s.intakeMs, Ev.Arrival);
};

/** An upload's storage event reaches intake: accept or refuse it, queue its tasks, admit and nudge. */
export const onArrival = (w: SimWorld): void => {
  scheduleArrival(w);
  w.c.arrived++;
  const spec = drawJob(w.workload.name, w.streams.jobs);
  const acceptance = decideJobAcceptance(
    { spentUsd: w.c.spentUsd, pendingJobs: w.pendingJobs },
    w.s.acceptance,
  );
  if (acceptance.kind === "budget-exhausted") {
    w.c.refusedBudget++;
    return;
  }
  if (acceptance.kind === "backlog-full") {
    w.c.refusedBacklog++;
    return;
  }
  const job = w.jobs.take();
  w.jobs.upload[job] = w.now - w.s.intakeMs;
  w.jobs.durationS[job] = spec.durationS;
  w.jobs.failed[job] = 0;
  w.jobs.waiting[job] = 0;
  w.jobs.long[job] = spec.durationS >= w.s.longJobS && PRESETS[spec.preset].recipe.kind !== "copy" ? 1 : 0;
  const split = w.s.split;
  if (split !== null && shouldSplit({ durationS: spec.durationS, preset: spec.preset }, split)) {
    const keyframeTimesS = Array.from(
      { length: Math.ceil(spec.durationS / spec.gopS) },
      (_, i) => i * spec.gopS,
    );
    const chunks = planChunks({ durationS: spec.durationS, keyframeTimesS }, split);
    w.jobs.left[job] = chunks.length;
    w.c.splitJobs++;
    w.c.chunkTasks += chunks.length;
    for (const chunk of chunks) {
      const span = { preset: spec.preset, pixels: spec.pixels, durationS: chunk.endS - chunk.startS };
      w.queueTask(w.newTask(job, T.Chunk, taskSeconds(span, w.s.jobTime)));
    }
  } else {
    w.jobs.left[job] = 1;
    w.queueTask(w.newTask(job, T.Whole, taskSeconds(spec, w.s.jobTime)));
  }
  admitAndNudge(w, 0);
};

/** The last chunk of a split job landed: its stitch task joins the queue like any other. */
export const queueStitch = (w: SimWorld, job: number): void => {
  w.queueTask(w.newTask(job, T.Stitch, stitchSeconds(w.jobs.durationS[job] as number, w.s.jobTime)));
};

/** Admission (start machines as decideAdmission says), then one nudge per claimable task to an idle machine. */
export const admitAndNudge = (w: SimWorld, waits: number): void => {
  const window = w.s.admission.spawnRate.windowMs;
  while (w.recentSpawns.length > 0 && (w.recentSpawns[0] as number) <= w.now - window) w.recentSpawns.shift();
  while (w.exiting.length > 0 && (w.exiting[0] as number) <= w.now) w.exiting.shift();
  const decision = decideAdmission(
    {
      now: w.now,
      recentSpawns: w.recentSpawns,
      liveMachines: w.live,
      reservedMachines: w.reserved,
      exitingMachines: w.exiting.length,
      nextExitAt: w.exiting[0] ?? 0,
      busyMachines: w.busy,
      pendingJobs: w.pendingTasks(),
      spentThisMonthUsd: w.c.spentUsd,
      committedBeyondTtlUsd: 0,
    },
    w.s.admission,
  );
  w.lastAdmissionRejected = decision.kind === "reject";
  switch (decision.kind) {
    case "admit":
      for (let i = 0; i < decision.machines; i++) spawn(w);
      w.c.maxMachinesAtOnce = Math.max(w.c.maxMachinesAtOnce, w.reserved + w.live + w.exiting.length);
      break;
    case "wait":
      if (
        decision.reason === "machines-stopping" &&
        waits < STOPPING_WAITS &&
        decision.retryAfterMs <= STOPPING_WAIT_MAX_MS
      ) {
        w.queue.push(w.now + decision.retryAfterMs + 20, Ev.Admit, 0, waits + 1);
      }
      break;
    case "reject":
      w.c.admissionRejects++;
      break;
    case "none-needed":
      break;
  }
  const m = w.machines;
  for (let n = Math.min(m.idleCount, w.ready.size); n > 0; n--) {
    const machine = m.idle[m.idleCount - 1] as number;
    m.removeIdle(machine);
    m.state[machine] = M.Waking;
    m.emptyPolls[machine] = 0;
    w.queue.push(w.now + w.s.nudgeMs, Ev.Poll, machine, m.nextGen(machine));
  }
};

const spawn = (w: SimWorld): void => {
  const m = w.machines;
  const machine = m.take();
  m.state[machine] = M.Booting;
  m.created[machine] = w.now;
  m.busyMs[machine] = 0;
  m.jobsDone[machine] = 0;
  m.emptyPolls[machine] = 0;
  m.task[machine] = -1;
  m.serial[machine] = w.machineSerials++;
  w.reserved++;
  w.recentSpawns.push(w.now);
  w.c.machinesStarted++;
  const boot = w.s.bootMs * (1 + w.s.bootJitter * (2 * w.random() - 1));
  w.queue.push(w.now + boot, Ev.Booted, machine, m.nextGen(machine));
};

/** The every-minute cron: the lease sweep, then admission; it stops once the month is over and nothing is left. */
export const onCron = (w: SimWorld): void => {
  sweep(w);
  admitAndNudge(w, 0);
  const settled = w.reserved + w.live === 0 && (w.pendingTasks() === 0 || w.lastAdmissionRejected);
  if (w.now < w.horizonMs || !settled) w.queue.push(w.now + w.s.cronIntervalMs, Ev.Cron);
};

const sweep = (w: SimWorld): void => {
  const lapsed = w.dead.filter((d) => d.leaseExpiresAt <= w.now);
  if (lapsed.length === 0) return;
  // Only lapsed leases can produce actions; the live ones would be passed over by the plan.
  const plan = planLeaseSweep(
    {
      now: w.now,
      leases: lapsed.map((d) => ({ machineId: String(d.machine), expiresAt: d.leaseExpiresAt })),
      activeJobs: lapsed.map((d) => ({
        jobId: String(d.task),
        machineId: String(d.machine),
        leaseToken: String(w.machines.gen[d.machine]),
        attempts: w.tasks.attempts[d.task] as number,
        retryBase: 0,
      })),
      reservations: [],
    },
    w.s.retryPolicy,
  );
  for (const requeue of plan.requeue) {
    const task = Number(requeue.jobId);
    w.c.requeues++;
    w.queueTask(task, requeue.availableAt);
  }
  for (const fail of plan.fail) {
    const task = Number(fail.jobId);
    const job = w.tasks.job[task] as number;
    if (w.jobs.failed[job] === 0) w.c.failed++;
    w.jobs.failed[job] = 1;
    w.tasks.give(task);
  }
  for (const id of plan.releaseMachines) {
    const machine = Number(id);
    const at = w.dead.findIndex((d) => d.machine === machine);
    const [d] = w.dead.splice(at, 1);
    w.live--;
    w.busy--;
    // The sweep charges the worst case to the month's spend; Fly bills what the machine ran.
    w.c.spentUsd += w.s.admission.machineMaxCostUsd;
    w.release(machine, (d as (typeof w.dead)[number]).crashedAt, w.now);
  }
};

/** A requeued task's backoff is over: it is claimable again, behind the tasks already waiting. */
export const onAvailable = (w: SimWorld, task: number): void => {
  w.delayed.splice(
    w.delayed.findIndex((d) => d.task === task),
    1,
  );
  w.ready.push(task);
};
