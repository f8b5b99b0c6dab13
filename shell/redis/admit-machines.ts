// Admission end to end: snapshot → decide (core) → reserve with guards, deciding again when another caller won.
import { errAsync, okAsync, type ResultAsync } from "neverthrow";
import {
  type AdmissionConfig,
  type AdmissionDecision,
  decideAdmission,
} from "../../core/decide-admission.ts";
import { calendarMonth } from "../../core/month-key.ts";
import { type AdmissionSnapshot, admissionView } from "./admission-snapshot.ts";
import { inRedisMonth } from "./in-redis-month.ts";
import type { RedisKeys } from "./key-schema.ts";
import type { MachineStoreError } from "./machine-script.ts";
import { type ReservationLimits, readAdmissionSnapshot, reserveMachines } from "./reserve-machines.ts";
import type { ScriptRunner } from "./script-runner.ts";

export interface MachineAdmissionConfig extends AdmissionConfig {
  /** How long a reservation holds its slot before the machine must have registered. */
  readonly bootDeadlineMs: number;
}

type Admit = Extract<AdmissionDecision, { kind: "admit" }>;

/** The core's decision; an admission also carries the ids reserved, to tag the machines to create. */
export type MachineAdmission =
  | Exclude<AdmissionDecision, { kind: "admit" }>
  | (Admit & { readonly machineIds: readonly string[]; readonly bootDeadline: number });

export type AdmitMachinesError =
  | Exclude<MachineStoreError, { kind: "admission-conflict" }>
  /** Other admissions kept taking the room this one decided on; ask again later. */
  | { readonly kind: "contended"; readonly message: string };

/** Reserve attempts per call; each failed one means another admission changed the state first. */
const MAX_RESERVE_TRIES = 4;

const limitsOf = (config: MachineAdmissionConfig): ReservationLimits => ({
  maxMachines: config.maxMachines,
  maxSpawns: config.spawnRate.maxSpawns,
  windowMs: config.spawnRate.windowMs,
  monthlyBudgetUsd: config.monthlyBudgetUsd,
  machineMaxCostUsd: config.machineMaxCostUsd,
  bootDeadlineMs: config.bootDeadlineMs,
});

/**
 * `newMachineId` makes fresh ids (they become the machines' Fly metadata tags); `clockGuessMs` only picks the
 * spend month to read first: Redis TIME decides, and a wrong guess costs one more round trip.
 */
export const admitMachines = (
  runner: ScriptRunner,
  keys: RedisKeys,
  config: MachineAdmissionConfig,
  newMachineId: () => string,
  clockGuessMs: number,
): ResultAsync<MachineAdmission, AdmitMachinesError> => {
  const limits = limitsOf(config);
  const snapshotAt = (guessMs: number): ResultAsync<AdmissionSnapshot, AdmitMachinesError> =>
    inRedisMonth(guessMs, (month) => readAdmissionSnapshot(runner, keys, month, limits)).mapErr((error) =>
      // A read never races; a guard refusal here is a script that does not match this wrapper.
      error.kind === "admission-conflict"
        ? { kind: "unexpected-reply" as const, message: "reserve-machines: a guard refused a snapshot read" }
        : error,
    );

  const decideAndReserve = (
    snapshot: AdmissionSnapshot,
    triesLeft: number,
  ): ResultAsync<MachineAdmission, AdmitMachinesError> => {
    const view = admissionView(snapshot, config);
    const decision = decideAdmission(view.input, view.config);
    if (decision.kind !== "admit") return okAsync(decision);
    if (triesLeft === 0) {
      const message = `admission lost ${MAX_RESERVE_TRIES} races for the last free room; try again shortly`;
      return errAsync({ kind: "contended", message });
    }
    const machineIds = Array.from({ length: decision.machines }, newMachineId);
    return reserveMachines(runner, keys, calendarMonth(snapshot.now), limits, machineIds)
      .map(
        (reservation): MachineAdmission => ({
          ...decision,
          machineIds,
          bootDeadline: reservation.bootDeadline,
        }),
      )
      .orElse((error) => {
        switch (error.kind) {
          case "admission-conflict":
            return decideAndReserve(error.snapshot, triesLeft - 1);
          case "month-changed":
            return snapshotAt(error.now).andThen((fresh) => decideAndReserve(fresh, triesLeft - 1));
          default:
            return errAsync(error);
        }
      });
  };

  return snapshotAt(clockGuessMs).andThen((snapshot) => decideAndReserve(snapshot, MAX_RESERVE_TRIES));
};
