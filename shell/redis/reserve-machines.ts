// Typed wrapper of reserve-machines.lua: read the admission snapshot, or reserve slots for fresh machine ids.
import type { ResultAsync } from "neverthrow";
import * as v from "valibot";
import type { CalendarMonth } from "../../core/month-key.ts";
import { type AdmissionSnapshot, AdmissionSnapshotSchema } from "./admission-snapshot.ts";
import { LUA_SCRIPTS } from "./generated/lua-scripts.ts";
import { monthArgs } from "./in-redis-month.ts";
import type { RedisKeys } from "./key-schema.ts";
import { type MachineStoreError, runMachineScript } from "./machine-script.ts";
import type { ScriptRunner } from "./script-runner.ts";

/** The limits reserve-machines.lua enforces; TS decides them (see MachineAdmissionConfig). */
export interface ReservationLimits {
  readonly maxMachines: number;
  readonly maxSpawns: number;
  readonly windowMs: number;
  readonly monthlyBudgetUsd: number;
  readonly machineMaxCostUsd: number;
  readonly bootDeadlineMs: number;
}

export interface Reservation {
  /** Redis time by which each machine must register, or its slot is dropped by the sweep. */
  readonly bootDeadline: number;
  /** True when a retried call found the ids already reserved. */
  readonly replayed: boolean;
}

/** Machine ids travel in Fly metadata and in "<machineId>|<leaseToken>" index values: no "|" and no spaces. */
export const MACHINE_ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;

const int = v.pipe(v.number(), v.integer());
const Reply = {
  snapshot: v.tuple([v.literal(0), AdmissionSnapshotSchema]),
  reserved: v.tuple([v.picklist([1, 2]), int]),
};

const run = <S extends v.GenericSchema>(
  runner: ScriptRunner,
  keys: RedisKeys,
  month: CalendarMonth,
  limits: ReservationLimits,
  machineIds: readonly string[],
  reply: S,
): ResultAsync<v.InferOutput<S>, MachineStoreError> => {
  const { spendKey, bounds } = monthArgs(keys, month);
  return runMachineScript(
    runner,
    LUA_SCRIPTS.reserveMachines,
    [
      keys.jobsPending,
      keys.jobsActive,
      keys.workerLeases,
      keys.workerReservations,
      keys.activeMachines,
      keys.rateLimit,
      spendKey,
      keys.workerExiting,
      keys.workerCommitments,
    ],
    [
      ...bounds,
      limits.windowMs,
      limits.maxMachines,
      limits.maxSpawns,
      limits.monthlyBudgetUsd,
      limits.machineMaxCostUsd,
      limits.bootDeadlineMs,
      ...machineIds,
    ],
    reply,
  );
};

/** Reads what admission decides on, in `month` (month-changed when Redis time is outside it). Writes nothing. */
export const readAdmissionSnapshot = (
  runner: ScriptRunner,
  keys: RedisKeys,
  month: CalendarMonth,
  limits: ReservationLimits,
): ResultAsync<AdmissionSnapshot, MachineStoreError> =>
  run(runner, keys, month, limits, [], Reply.snapshot).map(([, snapshot]) => snapshot);

/**
 * Reserves one slot per id, all or none, if capacity, spawn rate and budget still allow it by Redis time;
 * otherwise admission-conflict with a fresh snapshot. Safe to repeat with the same ids.
 */
export const reserveMachines = (
  runner: ScriptRunner,
  keys: RedisKeys,
  month: CalendarMonth,
  limits: ReservationLimits,
  machineIds: readonly string[],
): ResultAsync<Reservation, MachineStoreError> => {
  if (machineIds.length === 0) throw new Error("reserveMachines needs at least one machine id");
  if (new Set(machineIds).size !== machineIds.length)
    throw new Error("reserveMachines: duplicate machine ids");
  const invalid = machineIds.find((id) => !MACHINE_ID_PATTERN.test(id));
  if (invalid !== undefined)
    throw new Error(`reserveMachines: invalid machine id ${JSON.stringify(invalid)}`);
  return run(runner, keys, month, limits, machineIds, Reply.reserved).map(([code, bootDeadline]) => ({
    bootDeadline,
    replayed: code === 2,
  }));
};
