// The cron's reconcile steps: Fly's machines (listed first) against Redis's slots, planned by the core
// (core/plan-machine-reconcile.ts) and carried out here: free or respawn machine-less reservations, destroy orphans.
import {
  findOrphanMachines,
  planReservationRepair,
  type TaggedMachine,
} from "../../../core/plan-machine-reconcile.ts";
import type { FlyMachine } from "../../fly/fly-machine.ts";
import type { ControlPlaneDeps } from "../config/control-plane-deps.ts";
import { spawnPoolMachine } from "./admit-and-spawn.ts";

/** Records a failed step as "<step>: <error kind>"; the cron goes on with the next. */
export type NoteError = (step: string, error: { readonly kind: string }) => void;

export const taggedMachines = (machines: readonly FlyMachine[]): TaggedMachine[] =>
  machines.flatMap((m) =>
    m.tag === null ? [] : [{ id: m.id, tag: m.tag, state: m.state, createdAt: m.createdAt }],
  );

/** Reservations with no machine: freed past their boot deadline, created again (pool mode) once old enough. */
export const repairReservations = async (
  deps: ControlPlaneDeps,
  machines: readonly TaggedMachine[],
  note: NoteError,
): Promise<{ readonly freed: readonly string[]; readonly respawned: readonly string[] }> => {
  const freed: string[] = [];
  const respawned: string[] = [];
  const slots = await deps.views.sweepSnapshot();
  if (slots.isErr()) {
    note("snapshot", slots.error);
    return { freed, respawned };
  }
  const repair = planReservationRepair(machines, slots.value, {
    bootDeadlineMs: deps.config.admission.bootDeadlineMs,
    respawnAfterMs: deps.config.respawnAfterMs,
  });
  for (const id of repair.free) {
    const released = await deps.machines.release(id, 0, "never-started");
    if (released.isOk()) freed.push(id);
    else note(`free ${id}`, released.error);
  }
  if (deps.config.spawnMode === "pool") {
    for (const id of repair.respawn) {
      const spawned = await spawnPoolMachine(deps, id, true);
      if (spawned.isOk()) respawned.push(id);
      else note(`respawn ${id}`, spawned.error);
    }
  }
  return { freed, respawned };
};

/** Destroys the machines no live slot accounts for, and all but the oldest of machines sharing one slot. */
export const destroyOrphans = async (
  deps: ControlPlaneDeps,
  machines: readonly TaggedMachine[],
  note: NoteError,
): Promise<readonly string[]> => {
  const destroyed: string[] = [];
  const slots = await deps.views.sweepSnapshot();
  if (slots.isErr()) {
    note("snapshot", slots.error);
    return destroyed;
  }
  for (const id of findOrphanMachines(machines, slots.value)) {
    const outcome = await deps.fly.destroyMachine(id, { force: true });
    if (outcome.isOk() || outcome.error.kind === "not-found") destroyed.push(id);
    else note(`destroy ${id}`, outcome.error);
  }
  return destroyed;
};
