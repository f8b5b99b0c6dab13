// What one spawn came to, and what a failed create means for the machine's reserved slot.
import { describeFlyError, type FlyError } from "../../fly/fly-error.ts";
import type { ControlPlaneDeps } from "../config/control-plane-deps.ts";

export type MachineSpawn =
  | { readonly kind: "spawned"; readonly machineId: string; readonly flyId: string }
  /** The create may have taken effect: the reservation stays, the cron resolves it by tag. */
  | { readonly kind: "uncertain"; readonly machineId: string; readonly error: string }
  /** The create surely failed (capacity, refused): the slot was given back. */
  | { readonly kind: "released"; readonly machineId: string; readonly error: string }
  /** Single-job mode found no job to give the machine (another took it): the slot was given back. */
  | { readonly kind: "idle"; readonly machineId: string };

/** What a failed create means for the machine's reserved slot. */
export const settleFailedSpawn = async (
  deps: ControlPlaneDeps,
  machineId: string,
  error: FlyError,
): Promise<MachineSpawn> => {
  const message = describeFlyError(error);
  if (error.kind === "unavailable") return { kind: "uncertain", machineId, error: message };
  const released = await deps.machines.release(machineId, 0, "never-started");
  if (released.isErr()) {
    // The slot stays until the sweep drops the reservation at its boot deadline.
    deps.log.error("spawn.release-failed", { machineId, error: released.error.kind });
  }
  return { kind: "released", machineId, error: message };
};
