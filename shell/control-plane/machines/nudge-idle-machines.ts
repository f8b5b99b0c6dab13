// Work is waiting and machines sit idle: signal their workers (SIGUSR1 through the Fly Machines API) so they claim
// now rather than at their next poll, which backs off to seconds to keep an idle worker's Redis bill small.

import { describeFlyError } from "../../fly/fly-error.ts";
import type { ControlPlaneDeps } from "../config/control-plane-deps.ts";

/** Signals one idle machine per claimable job (no more); answers how many were signalled. Never fails. */
export const nudgeIdleMachines = async (deps: ControlPlaneDeps): Promise<number> => {
  if (deps.config.spawnMode !== "pool") return 0;
  const read = await deps.machines.idleMachines();
  if (read.isErr()) {
    deps.log.warn("nudge.read-failed", { error: read.error.kind });
    return 0;
  }
  const { idle, claimablePending } = read.value;
  const chosen = idle.slice(0, claimablePending);
  const sent = await Promise.all(
    chosen.map(async ({ machineId, flyMachineId }) => {
      const signalled = await deps.fly.signalMachine(flyMachineId, "SIGUSR1");
      // A missed nudge costs one poll interval: the worker still polls.
      if (signalled.isErr()) {
        deps.log.warn("nudge.failed", { machineId, flyMachineId, error: describeFlyError(signalled.error) });
      }
      return signalled.isOk();
    }),
  );
  const count = sent.filter(Boolean).length;
  if (count > 0) deps.log.info("nudge.sent", { machines: count, claimablePending });
  return count;
};
