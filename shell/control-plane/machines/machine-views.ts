// Read-only views of the machine side for the API and the cron: the admission snapshot and the sweep snapshot.
import type { ResultAsync } from "neverthrow";
import type { AdmissionSnapshot } from "../../redis/admission-snapshot.ts";
import type { MachineAdmissionConfig } from "../../redis/admit-machines.ts";
import { inRedisMonth } from "../../redis/in-redis-month.ts";
import type { RedisKeys } from "../../redis/key-schema.ts";
import type { MachineStoreError } from "../../redis/machine-script.ts";
import { readAdmissionSnapshot } from "../../redis/reserve-machines.ts";
import type { ScriptRunner } from "../../redis/script-runner.ts";
import { readSweepSnapshot, type SweepSnapshot } from "../../redis/sweep-scripts.ts";

export interface MachineViews {
  /** Pending and running jobs, live leases and reservations, this month's spend: one Redis instant. */
  admissionSnapshot(): ResultAsync<AdmissionSnapshot, MachineStoreError>;
  /** Every lease and reservation with its expiry, and the running-job index. */
  sweepSnapshot(): ResultAsync<SweepSnapshot, MachineStoreError>;
}

export const machineViews = (
  runner: ScriptRunner,
  keys: RedisKeys,
  admission: MachineAdmissionConfig,
  clock: () => number,
): MachineViews => {
  const limits = {
    maxMachines: admission.maxMachines,
    maxSpawns: admission.spawnRate.maxSpawns,
    windowMs: admission.spawnRate.windowMs,
    monthlyBudgetUsd: admission.monthlyBudgetUsd,
    machineMaxCostUsd: admission.machineMaxCostUsd,
    bootDeadlineMs: admission.bootDeadlineMs,
  };
  return {
    admissionSnapshot: () =>
      inRedisMonth(clock(), (month) => readAdmissionSnapshot(runner, keys, month, limits)),
    sweepSnapshot: () => readSweepSnapshot(runner, keys),
  };
};
