// The machine side of RWOS as one port: admission, leases, release and the lease sweep, bound to their config.
import type { ResultAsync } from "neverthrow";
import type { JobRetryPolicy } from "../../core/decide-job-retry.ts";
import {
  type AdmitMachinesError,
  admitMachines,
  type MachineAdmission,
  type MachineAdmissionConfig,
} from "./admit-machines.ts";
import { type IdleMachines, noteFlyMachine, readIdleMachines } from "./idle-machines.ts";
import type { JobStore } from "./job-store.ts";
import type { RedisKeys } from "./key-schema.ts";
import { heartbeatMachine, type Registration, registerMachine } from "./machine-leases.ts";
import type { MachineStoreError } from "./machine-script.ts";
import { type MachineRelease, releaseMachine } from "./release-machine.ts";
import { type LeaseSweepReport, runLeaseSweep } from "./run-lease-sweep.ts";
import type { ScriptRunner } from "./script-runner.ts";

export type { AdmitMachinesError, MachineAdmission, MachineAdmissionConfig } from "./admit-machines.ts";
export type { IdleMachines } from "./idle-machines.ts";
export type { Registration } from "./machine-leases.ts";
export type { MachineRefusal, MachineStoreError } from "./machine-script.ts";
export type { MachineRelease } from "./release-machine.ts";
export type { LeaseSweepReport } from "./run-lease-sweep.ts";

export interface MachineStoreConfig {
  readonly admission: MachineAdmissionConfig;
  /** Lease length from each registration or heartbeat. */
  readonly leaseMs: number;
  /** Governs what an expired lease does to its job (requeue or fail). */
  readonly retryPolicy: JobRetryPolicy;
  /** How long a released machine's slot stays taken while the machine stops (see release-machine.lua). */
  readonly stopGraceMs: number;
}

/** A machine that ran may still be stopping when it is released; one whose create failed never started. */
export type Leaving = "stopping" | "never-started";

export interface MachineStore {
  /** `newMachineId` makes the ids to reserve (and tag the Fly machines with). */
  admit(newMachineId: () => string): ResultAsync<MachineAdmission, AdmitMachinesError>;
  register(machineId: string): ResultAsync<Registration, MachineStoreError>;
  heartbeat(machineId: string): ResultAsync<{ readonly expiresAt: number }, MachineStoreError>;
  release(
    machineId: string,
    costUsd: number,
    leaving: Leaving,
  ): ResultAsync<MachineRelease, MachineStoreError>;
  sweep(): ResultAsync<LeaseSweepReport, MachineStoreError>;
  /** Remembers the Fly machine a machine id runs on, for `ttlMs`. */
  noteFlyMachine(
    machineId: string,
    flyMachineId: string,
    ttlMs: number,
  ): ResultAsync<void, MachineStoreError>;
  /** Idle live machines (with their Fly ids) and the pending jobs claimable now. */
  idleMachines(): ResultAsync<IdleMachines, MachineStoreError>;
}

/**
 * `clock` is only a first guess at the spend month (Redis TIME decides every lease, window and month); the
 * composition root passes the runtime's clock.
 */
export const machineStore = (
  runner: ScriptRunner,
  keys: RedisKeys,
  jobs: Pick<JobStore, "transition">,
  config: MachineStoreConfig,
  clock: () => number,
): MachineStore => ({
  admit: (newMachineId) => admitMachines(runner, keys, config.admission, newMachineId, clock()),
  register: (machineId) =>
    registerMachine(runner, keys, machineId, {
      leaseMs: config.leaseMs,
      maxMachines: config.admission.maxMachines,
    }),
  heartbeat: (machineId) => heartbeatMachine(runner, keys, machineId, config.leaseMs),
  release: (machineId, costUsd, leaving) =>
    releaseMachine(
      runner,
      keys,
      jobs,
      config.retryPolicy,
      { machineId, costUsd, stopGraceMs: leaving === "stopping" ? config.stopGraceMs : 0 },
      clock(),
    ),
  noteFlyMachine: (machineId, flyMachineId, ttlMs) =>
    noteFlyMachine(runner, keys, machineId, flyMachineId, ttlMs),
  idleMachines: () => readIdleMachines(runner, keys),
  sweep: () =>
    runLeaseSweep(runner, keys, jobs, config.retryPolicy, {
      machineMaxCostUsd: config.admission.machineMaxCostUsd,
    }),
});
