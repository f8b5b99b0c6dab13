// The every-minute cron: repair reservations, sweep expired leases, destroy orphan machines, spawn if pending work
// has no capacity, then send owed webhooks. Each step runs even when an earlier one failed; all is reported and logged.
import type { LeaseSweepReport } from "../../redis/machine-store.ts";
import type { ControlPlaneDeps } from "../config/control-plane-deps.ts";
import { admitAndSpawn, type SpawnReport } from "../machines/admit-and-spawn.ts";
import {
  destroyOrphans,
  type NoteError,
  repairReservations,
  taggedMachines,
} from "../machines/reconcile-machines.ts";
import { deliverOwedWebhooks, type OwedWebhooksReport } from "../webhooks/deliver-owed-webhooks.ts";

export interface CronReport {
  readonly sweep: LeaseSweepReport | { readonly error: string };
  readonly reservationsFreed: readonly string[];
  readonly respawned: readonly string[];
  readonly orphansDestroyed: readonly string[];
  readonly errors: readonly string[];
  readonly spawn: SpawnReport;
  readonly webhooks: OwedWebhooksReport | { readonly error: string };
}

export const runCron = async (deps: ControlPlaneDeps): Promise<CronReport> => {
  const errors: string[] = [];
  const note: NoteError = (step, error) => errors.push(`${step}: ${error.kind}`);

  // Listed before any Redis read, so every listed machine's reservation or lease is in the reads that follow.
  const listed = await deps.fly.listTcoderMachines();
  if (listed.isErr()) note("list-machines", listed.error);
  const machines = listed.isOk() ? taggedMachines(listed.value) : null;

  const repaired = machines === null ? null : await repairReservations(deps, machines, note);
  const swept = await deps.machines.sweep();
  if (swept.isErr()) note("sweep", swept.error);
  const orphansDestroyed = machines === null ? [] : await destroyOrphans(deps, machines, note);
  const reservationsFreed = repaired?.freed ?? [];
  const respawned = repaired?.respawned ?? [];

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
