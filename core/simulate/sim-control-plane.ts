// The simulated control plane, on the core's own decisions: uploads accepted or refused and queued (a long one to be
// split by the machine that claims it), a split job's tasks queued at its place, admission and nudges on every
// upload, finished task and cron run, and the cron's lease sweep.
import { decideAdmission, idleCapacity } from "../decide-admission.ts";
import { decideJobAcceptance } from "../decide-job-acceptance.ts";
import { ffmpegTimeLimitMs } from "../ffmpeg/ffmpeg-time-limit.ts";
import { planLeaseSweep } from "../plan-lease-sweep.ts";
import { PRESET_NAMES, type PresetName } from "../preset-names.ts";
import { planChunks, planGridChunks, shouldSplit } from "../split/plan-chunks.ts";
import { cutsOnSegmentGrid, stitchable } from "../split/plan-task-commands.ts";
import { splitTaskScore } from "../split/split-tasks.ts";
import {
  audioSeconds,
  chunkSeconds,
  splitStepSeconds,
  stitchSeconds,
  taskSeconds,
} from "./job-time-model.ts";
import { Ev, M, type SimWorld, T } from "./sim-world.ts";
import { drawJob, type JobSpec } from "./workloads.ts";

/** Waits for stopping machines' slots this short are sat out (admit-and-spawn.ts does the same). */
const STOPPING_WAIT_MAX_MS = 10_000;
const STOPPING_WAITS = 2;

/** The longest any one ffmpeg command may run (FFMPEG_MAX_RUN_MS's default, DEFAULT_PLAN_LIMITS). */
const MAX_RUN_MS = 6 * 3_600_000;

export const scheduleArrival = (w: SimWorld): void => {
  const at = w.arrivals.next();
  if (at < w.horizonMs) w.queue.push(at + w.s.intakeMs, Ev.Arrival);
};

/** A whole job's ffmpeg time limits added up (its transcode and its poster): what its cost check estimates. */
export const wholeJobLimitMs = (spec: Pick<JobSpec, "preset" | "pixels" | "durationS">): number => {
  const limit = (purpose: "transcode" | "poster") =>
    ffmpegTimeLimitMs({
      preset: spec.preset,
      purpose,
      durationSec: spec.durationS,
      sourcePixels: spec.pixels,
      maxRunMs: MAX_RUN_MS,
    });
  return limit("transcode") + limit("poster");
};

/** Whether the machine that claims this job splits it (worker-image/split-long-job.ts: MP4 and HLS presets). */
const splits = (w: SimWorld, spec: JobSpec): boolean =>
  w.s.split !== null && stitchable(spec.preset) && shouldSplit(spec, w.s.split);

/** An upload's storage event reaches intake: the next one is scheduled, this one accepted or refused. */
export const onArrival = (w: SimWorld): void => {
  scheduleArrival(w);
  acceptUpload(w, drawJob(w.workload.name, w.streams.jobs));
};

/** Accepts or refuses an upload; an accepted one is queued (a long one to be split), then admission and nudges. */
export const acceptUpload = (w: SimWorld, spec: JobSpec): number => {
  w.c.arrived++;
  const acceptance = decideJobAcceptance(
    {
      spentUsd: w.c.spentUsd,
      machines: w.live + w.reserved,
      freeMachines: idleCapacity({
        liveMachines: w.live,
        busyMachines: w.busy,
        reservedMachines: w.reserved,
      }),
      committedBeyondTtlUsd: w.beyondTtlUsd(),
      // The backlog is jobs:pending's ZCARD: a split job's waiting tasks count each (create-job.lua, the snapshot).
      pendingJobs: w.pending.size,
    },
    w.s.acceptance,
  );
  if (acceptance.kind === "budget-exhausted") {
    w.c.refusedBudget++;
    return -1;
  }
  if (acceptance.kind === "backlog-full") {
    w.c.refusedBacklog++;
    return -1;
  }
  const job = w.jobs.take();
  w.jobs.upload[job] = w.now - w.s.intakeMs;
  w.jobs.queuedAt[job] = w.now;
  w.jobs.durationS[job] = spec.durationS;
  w.jobs.preset[job] = PRESET_NAMES.indexOf(spec.preset);
  w.jobs.pixels[job] = spec.pixels;
  w.jobs.gopS[job] = spec.gopS;
  w.jobs.failed[job] = 0;
  w.jobs.long[job] = spec.durationS >= w.s.longJobS && stitchable(spec.preset) ? 1 : 0;
  if (splits(w, spec)) {
    const scans = !cutsOnSegmentGrid(spec.preset);
    w.queueTask(w.newTask(job, T.Split, splitStepSeconds(spec.durationS, scans, w.s.jobTime)));
  } else {
    const task = w.newTask(job, T.Whole, taskSeconds(spec, w.s.jobTime));
    w.tasks.limitMs[task] = wholeJobLimitMs(spec);
    w.queueTask(task);
  }
  admitAndNudge(w, 0);
  return job;
};

const presetOf = (w: SimWorld, job: number): PresetName =>
  PRESET_NAMES[w.jobs.preset[job] as number] as PresetName;

/**
 * The machine that claimed a long job has planned its chunks (MP4: at the keyframes it scanned; HLS: on the segment
 * grid): its audio and chunk tasks join jobs:pending at the job's own place (splitTaskScore), the stitch waits for
 * the last of them.
 */
export const finishSplitStep = (w: SimWorld, job: number): void => {
  const split = w.s.split;
  if (split === null) throw new Error("a split step with splitting off");
  const durationS = w.jobs.durationS[job] as number;
  const gopS = w.jobs.gopS[job] as number;
  const preset = presetOf(w, job);
  const keyframeTimesS = () => Array.from({ length: Math.ceil(durationS / gopS) }, (_, i) => i * gopS);
  const chunks = cutsOnSegmentGrid(preset)
    ? planGridChunks(durationS, split)
    : planChunks({ durationS, keyframeTimesS: keyframeTimesS() }, split);
  if (chunks.length < 2) throw new Error(`a ${durationS} s job split into ${chunks.length} chunk(s)`);
  const pixels = w.jobs.pixels[job] as number;
  const queuedAt = w.jobs.queuedAt[job] as number;
  w.c.splitJobs++;
  w.c.chunkTasks += chunks.length;
  w.c.splitSinglePassMs += taskSeconds({ preset, pixels, durationS }, w.s.jobTime) * 1000;
  w.jobs.left[job] = chunks.length + 1;
  w.queueTask(
    w.newTask(job, T.Audio, audioSeconds(durationS, w.s.jobTime)),
    splitTaskScore(queuedAt, w.now, 0),
  );
  chunks.forEach((chunk, i) => {
    const span = { preset, pixels, durationS: chunk.endS - chunk.startS };
    w.queueTask(
      w.newTask(job, T.Chunk, chunkSeconds(span, w.s.jobTime)),
      splitTaskScore(queuedAt, w.now, 1 + i),
    );
  });
};

/** The last chunk or the audio landed: the stitch task joins the queue at the job's place (lib/split-tasks.lua). */
export const queueStitch = (w: SimWorld, job: number): void => {
  const joinsMedia = !cutsOnSegmentGrid(presetOf(w, job));
  const task = w.newTask(
    job,
    T.Stitch,
    stitchSeconds(w.jobs.durationS[job] as number, joinsMedia, w.s.jobTime),
  );
  w.queueTask(task, Math.min(w.jobs.queuedAt[job] as number, w.now));
};

/** A job failed: counted once; its other tasks are dropped when claimed (a split job's are cancelled). */
export const failJob = (w: SimWorld, job: number): void => {
  if (w.jobs.failed[job] === 0) w.c.failed++;
  w.jobs.failed[job] = 1;
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
      pendingJobs: w.pending.size,
      spentThisMonthUsd: w.c.spentUsd,
      committedBeyondTtlUsd: w.beyondTtlUsd(),
    },
    w.s.admission,
  );
  w.lastAdmissionRejected = decision.kind === "reject";
  switch (decision.kind) {
    case "admit":
      for (let i = 0; i < decision.machines; i++) startMachine(w);
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
  for (let n = Math.min(m.idleCount, w.pending.claimable(w.now)); n > 0; n--) {
    const machine = m.idle[m.idleCount - 1] as number;
    m.removeIdle(machine);
    m.state[machine] = M.Waking;
    m.emptyPolls[machine] = 0;
    w.queue.push(w.now + w.s.nudgeMs, Ev.Poll, machine, m.nextGen(machine));
  }
};

/** Admission's machine: reserved now, registered after its boot; answers its row. */
export const startMachine = (w: SimWorld): number => {
  const m = w.machines;
  const machine = m.take();
  m.state[machine] = M.Booting;
  m.created[machine] = w.now;
  m.busyMs[machine] = 0;
  m.jobsDone[machine] = 0;
  m.emptyPolls[machine] = 0;
  m.commitUsd[machine] = 0;
  m.task[machine] = -1;
  m.serial[machine] = w.machineSerials++;
  w.reserved++;
  w.recentSpawns.push(w.now);
  w.c.machinesStarted++;
  const boot = w.s.bootMs * (1 + w.s.bootJitter * (2 * w.random() - 1));
  w.queue.push(w.now + boot, Ev.Booted, machine, m.nextGen(machine));
  return machine;
};

/** The every-minute cron: the lease sweep, then admission; it stops once the month is over and nothing is left. */
export const onCron = (w: SimWorld): void => {
  sweep(w);
  admitAndNudge(w, 0);
  const settled = w.reserved + w.live === 0 && (w.pending.size === 0 || w.lastAdmissionRejected);
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
    w.c.requeues++;
    w.queueTask(Number(requeue.jobId), requeue.availableAt);
  }
  for (const fail of plan.fail) {
    const task = Number(fail.jobId);
    failJob(w, w.tasks.job[task] as number);
    w.tasks.give(task);
  }
  for (const id of plan.releaseMachines) {
    const machine = Number(id);
    const at = w.dead.findIndex((d) => d.machine === machine);
    const [d] = w.dead.splice(at, 1);
    w.live--;
    w.busy--;
    // The sweep charges the worst case (or the machine's commitment, if larger); Fly bills what the machine ran.
    w.c.spentUsd += Math.max(w.s.admission.machineMaxCostUsd, w.machines.commitUsd[machine] as number);
    w.release(machine, (d as (typeof w.dead)[number]).crashedAt, w.now);
  }
};
