// The every-minute cron: repair reservations, sweep expired leases, destroy orphan machines, take uploads whose
// storage event was lost (or expire those that never came), spawn if pending work has no capacity, delete inputs past
// their retention, then send owed webhooks. Each step runs even when an earlier one failed; all is reported and logged.
import type { LeaseSweepReport } from "../../redis/machine-store.ts";
import type { ControlPlaneDeps } from "../config/control-plane-deps.ts";
import { checkWaitingUploads, type WaitingUploadsReport } from "../intake/check-waiting-uploads.ts";
import { deleteExpiredInputs, type ExpiredInputsReport } from "../intake/delete-expired-inputs.ts";
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
  readonly uploads: WaitingUploadsReport | { readonly error: string };
  readonly spawn: SpawnReport;
  readonly inputs: ExpiredInputsReport | { readonly error: string };
  readonly webhooks: OwedWebhooksReport | { readonly error: string };
}

/** A step that threw (a bug) is reported like one that failed, and the steps after it still run. */
const thrown = (error: unknown): { readonly error: string } => ({
  error: `threw: ${error instanceof Error ? error.message : String(error)}`,
});

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

  // Before admission, so a job repaired here gets its machine in this same run.
  const uploads = await checkWaitingUploads(deps).catch(thrown);
  if ("error" in uploads) errors.push(`uploads: ${uploads.error}`);
  const spawn = await admitAndSpawn(deps);
  const inputs = await deleteExpiredInputs(deps).catch(thrown);
  if ("error" in inputs) errors.push(`inputs: ${inputs.error}`);
  // Last: a slow webhook endpoint must not hold up the machines.
  const webhooks = await deliverOwedWebhooks(deps);
  if ("error" in webhooks) errors.push(`webhooks: ${webhooks.error}`);
  const report: CronReport = {
    sweep: swept.isOk() ? swept.value : { error: swept.error.kind },
    reservationsFreed,
    respawned,
    orphansDestroyed,
    errors,
    uploads,
    spawn,
    inputs,
    webhooks,
  };
  deps.log.info("cron.done", {
    requeued: swept.isOk() ? swept.value.requeued : null,
    failed: swept.isOk() ? swept.value.failed : null,
    reservationsFreed: reservationsFreed.length,
    respawned: respawned.length,
    orphansDestroyed: orphansDestroyed.length,
    uploads,
    spawn: spawn.kind,
    inputs,
    webhooks,
    errors,
  });
  return report;
};
