// A discrete-event simulation of a month of uploads through the pipeline, on a simulated clock: the control
// plane's acceptance and admission, the workers' phases and polls, the lease sweep and retries, and the split
// policy are the core's own functions (sim-control-plane.ts, sim-workers.ts); machines, tasks and time are the
// simulation's (sim-world.ts). No I/O: the same seed gives the same month.
import type { SimEvent } from "./event-queue.ts";
import type { SimulationRandom } from "./prng.ts";
import { admitAndNudge, onArrival, onCron, scheduleArrival } from "./sim-control-plane.ts";
import { onBooted, onCrash, onDone, onPoll } from "./sim-workers.ts";
import { Ev, SimWorld } from "./sim-world.ts";
import type { SimulationResult } from "./simulation-result.ts";
import type { SimulationSettings } from "./simulation-settings.ts";
import type { Workload } from "./workloads.ts";

export interface SimulateOptions {
  /** Record every task run and machine life (for tests; memory grows with the month). */
  readonly trace?: boolean;
}

export const simulateMonth = (
  workload: Workload,
  settings: SimulationSettings,
  random: SimulationRandom,
  options: SimulateOptions = {},
): SimulationResult => {
  const w = new SimWorld(workload, settings, random, options.trace === true);
  scheduleArrival(w);
  w.queue.push(settings.cronIntervalMs, Ev.Cron);
  runEvents(w);
  return w.result();
};

/** Runs the world's events in time order up to `untilMs` (all of them by default): the month's main loop. */
export const runEvents = (w: SimWorld, untilMs = Number.POSITIVE_INFINITY): void => {
  const e: SimEvent = { time: 0, kind: 0, a: 0, b: 0 };
  while (w.queue.peekTime() <= untilMs && w.queue.pop(e)) {
    w.now = e.time;
    w.c.events++;
    // A machine's events carry its generation when scheduled; a later change of plan makes them stale.
    const current = e.b === w.machines.gen[e.a];
    switch (e.kind) {
      case Ev.Arrival:
        onArrival(w);
        break;
      case Ev.Booted:
        onBooted(w, e.a);
        break;
      case Ev.Poll:
        if (current) onPoll(w, e.a);
        break;
      case Ev.Done:
        if (current) onDone(w, e.a);
        break;
      case Ev.Crash:
        if (current) onCrash(w, e.a);
        break;
      case Ev.Cron:
        onCron(w);
        break;
      case Ev.Admit:
        admitAndNudge(w, e.b);
        break;
    }
  }
};
