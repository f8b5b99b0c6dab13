// The spawner: admission (core decision, reserved atomically in Redis) → one Fly machine per reserved id, tagged
// with that id. A create that surely failed gives its slot back at once; an ambiguous one keeps the reservation
// for the cron, which looks the tag up before creating again.
import { ResultAsync } from "neverthrow";
import type { FlyError } from "../../fly/fly-error.ts";
import type { SpawnedMachine } from "../../fly/spawn-machine.ts";
import type { ControlPlaneDeps } from "../config/control-plane-deps.ts";
import { nudgeIdleMachines } from "./nudge-idle-machines.ts";
import { type MachineSpawn, settleFailedSpawn } from "./settle-failed-spawn.ts";
import { spawnSingleJob } from "./spawn-single-job.ts";
import { poolMachineEnv } from "./worker-machine-env.ts";

export type { MachineSpawn } from "./settle-failed-spawn.ts";

export type SpawnReport =
  | { readonly kind: "none-needed" }
  | { readonly kind: "wait"; readonly reason: string; readonly retryAfterMs: number }
  | { readonly kind: "reject"; readonly message: string }
  | { readonly kind: "admitted"; readonly machines: readonly MachineSpawn[] }
  | { readonly kind: "failed"; readonly message: string };

/** Longest a pool machine can live: it boots, works its TTL, then drains (plus a minute's margin). */
const poolMachineLifeMs = (deps: ControlPlaneDeps): number =>
  deps.config.admission.bootDeadlineMs + deps.config.worker.ttlMs + deps.config.worker.drainMs + 60_000;

/**
 * Creates the pool machine for a reserved id, and remembers its Fly id so an idle worker can be nudged.
 * `lookUpFirst` after an earlier ambiguous create for the same tag.
 */
export const spawnPoolMachine = (
  deps: ControlPlaneDeps,
  machineId: string,
  lookUpFirst: boolean,
): ResultAsync<SpawnedMachine, FlyError> =>
  createPoolMachine(deps, machineId, lookUpFirst).andThen((spawned) =>
    ResultAsync.fromSafePromise(
      deps.machines.noteFlyMachine(machineId, spawned.machine.id, poolMachineLifeMs(deps)).match(
        () => spawned,
        (error) => {
          // Only nudges depend on it: the worker still finds work by polling.
          deps.log.warn("spawn.note-fly-id-failed", { machineId, error: error.kind });
          return spawned;
        },
      ),
    ),
  );

const createPoolMachine = (
  deps: ControlPlaneDeps,
  machineId: string,
  lookUpFirst: boolean,
): ResultAsync<SpawnedMachine, FlyError> =>
  ResultAsync.fromSafePromise(poolMachineEnv(deps.config, machineId)).andThen((env) =>
    deps.fly.spawnMachine(
      {
        image: deps.config.fly.image,
        region: deps.config.fly.region,
        guest: deps.config.worker.guest,
        env,
        tag: machineId,
      },
      { lookUpFirst },
    ),
  );

const spawnOne = async (deps: ControlPlaneDeps, machineId: string): Promise<MachineSpawn> => {
  if (deps.config.spawnMode === "single-job") return spawnSingleJob(deps, machineId);
  const spawned = await spawnPoolMachine(deps, machineId, false);
  return spawned.isOk()
    ? { kind: "spawned", machineId, flyId: spawned.value.machine.id }
    : settleFailedSpawn(deps, machineId, spawned.error);
};

/** Waits for stopping machines' slots this short are sat out here rather than left to the next trigger. */
const STOPPING_WAIT_MAX_MS = 10_000;
const STOPPING_WAITS = 2;

/**
 * Runs admission and starts what it admits. Never fails: every outcome is reported (and logged). When the cap is
 * full only with machines that are stopping, it waits for their slots (briefly, a bounded number of times): no
 * worker callback or upload may come to ask again, and the cron is a minute away.
 */
export const admitAndSpawn = async (deps: ControlPlaneDeps): Promise<SpawnReport> => {
  const [report] = await Promise.all([admitWaitingOut(deps), nudgeIdleMachines(deps)]);
  return report;
};

const admitWaitingOut = async (deps: ControlPlaneDeps): Promise<SpawnReport> => {
  for (let waits = 0; ; waits++) {
    const report = await admitOnce(deps);
    const stopping = report.kind === "wait" && report.reason === "machines-stopping";
    if (!stopping || waits === STOPPING_WAITS || report.retryAfterMs > STOPPING_WAIT_MAX_MS) return report;
    await new Promise((resolve) => setTimeout(resolve, report.retryAfterMs + 20));
  }
};

const admitOnce = async (deps: ControlPlaneDeps): Promise<SpawnReport> => {
  const admission = await deps.machines.admit(() => deps.newId("m"));
  if (admission.isErr()) {
    const message = `${admission.error.kind}: ${"message" in admission.error ? admission.error.message : ""}`;
    deps.log.warn("spawn.admission-failed", { error: message });
    return { kind: "failed", message };
  }
  const decision = admission.value;
  switch (decision.kind) {
    case "none-needed":
      return { kind: "none-needed" };
    case "wait":
      return { kind: "wait", reason: decision.reason, retryAfterMs: decision.retryAfterMs };
    case "reject":
      deps.log.warn("spawn.budget-exhausted", { message: decision.message });
      return { kind: "reject", message: decision.message };
    case "admit": {
      const machines = await Promise.all(decision.machineIds.map((id) => spawnOne(deps, id)));
      for (const machine of machines) deps.log.info(`spawn.${machine.kind}`, { ...machine });
      return { kind: "admitted", machines };
    }
    default: {
      const unhandled: never = decision;
      throw new Error(`unhandled admission ${JSON.stringify(unhandled)}`);
    }
  }
};
