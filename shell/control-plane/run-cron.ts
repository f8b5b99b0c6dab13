// The every-minute cron: repair reservations, sweep expired leases, destroy orphan machines, spawn if pending work
// has no capacity, then send owed webhooks. Each step runs even when an earlier one failed; all is reported and logged.
import type { FlyMachine } from "../fly/fly-machine.ts";
import type { LeaseSweepReport } from "../redis/machine-store.ts";
import { admitAndSpawn, type SpawnReport, spawnPoolMachine } from "./admit-and-spawn.ts";
import type { ControlPlaneDeps } from "./control-plane-deps.ts";
import { deliverOwedWebhooks, type OwedWebhooksReport } from "./deliver-owed-webhooks.ts";
import { findOrphanMachines, planReservationRepair, type TaggedMachine } from "./plan-machine-reconcile.ts";

export interface CronReport {
  readonly sweep: LeaseSweepReport | { readonly error: string };
  readonly reservationsFreed: readonly string[];
  readonly respawned: readonly string[];
  readonly orphansDestroyed: readonly string[];
  readonly errors: readonly string[];
  readonly spawn: SpawnReport;
  readonly webhooks: OwedWebhooksReport | { readonly error: string };
}

const tagged = (machines: readonly FlyMachine[]): TaggedMachine[] =>
  machines.flatMap((m) =>
    m.tag === null ? [] : [{ id: m.id, tag: m.tag, state: m.state, createdAt: m.createdAt }],
  );

export const runCron = async (deps: ControlPlaneDeps): Promise<CronReport> => {
  const errors: string[] = [];
  const note = (step: string, error: { readonly kind: string }) => errors.push(`${step}: ${error.kind}`);
  const reservationsFreed: string[] = [];
  const respawned: string[] = [];
  const orphansDestroyed: string[] = [];

  // Listed before any Redis read, so every listed machine's reservation or lease is in the reads that follow.
  const listed = await deps.fly.listTcoderMachines();
  if (listed.isErr()) note("list-machines", listed.error);
  const machines = listed.isOk() ? tagged(listed.value) : null;

  if (machines !== null) {
    const before = await deps.views.sweepSnapshot();
    if (before.isErr()) note("snapshot", before.error);
    else {
      const repair = planReservationRepair(machines, before.value, {
        bootDeadlineMs: deps.config.admission.bootDeadlineMs,
        respawnAfterMs: deps.config.respawnAfterMs,
      });
      for (const id of repair.free) {
        const released = await deps.machines.release(id, 0, "never-started");
        if (released.isOk()) reservationsFreed.push(id);
        else note(`free ${id}`, released.error);
      }
      if (deps.config.spawnMode === "pool") {
        for (const id of repair.respawn) {
          const spawned = await spawnPoolMachine(deps, id, true);
          if (spawned.isOk()) respawned.push(id);
          else note(`respawn ${id}`, spawned.error);
        }
      }
    }
  }

  const swept = await deps.machines.sweep();
  if (swept.isErr()) note("sweep", swept.error);

  if (machines !== null) {
    const after = await deps.views.sweepSnapshot();
    if (after.isErr()) note("snapshot", after.error);
    else {
      for (const id of findOrphanMachines(machines, after.value)) {
        const destroyed = await deps.fly.destroyMachine(id, { force: true });
        if (destroyed.isOk() || destroyed.error.kind === "not-found") orphansDestroyed.push(id);
        else note(`destroy ${id}`, destroyed.error);
      }
    }
  }

  const spawn = await admitAndSpawn(deps);
  // Last: a slow webhook endpoint must not hold up the machines.
  const webhooks = await deliverOwedWebhooks(deps);
  if ("error" in webhooks) errors.push(`webhooks: ${webhooks.error}`);
  const report: CronReport = {
    sweep: swept.isOk() ? swept.value : { error: swept.error.kind },
    reservationsFreed,
    respawned,
    orphansDestroyed,
    errors,
    spawn,
    webhooks,
  };
  deps.log.info("cron.done", {
    requeued: swept.isOk() ? swept.value.requeued : null,
    failed: swept.isOk() ? swept.value.failed : null,
    reservationsFreed: reservationsFreed.length,
    respawned: respawned.length,
    orphansDestroyed: orphansDestroyed.length,
    spawn: spawn.kind,
    webhooks,
    errors,
  });
  return report;
};
