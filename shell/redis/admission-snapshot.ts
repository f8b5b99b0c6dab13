// What admission decides on, as reserve-machines.lua reads it, and how it becomes the core's AdmissionInput.
import * as v from "valibot";
import type { AdmissionConfig, AdmissionInput } from "../../core/decide-admission.ts";

export interface AdmissionSnapshot {
  /** Redis TIME, ms. */
  readonly now: number;
  readonly pendingJobs: number;
  /** Leases and reservations whose expiry is after `now`. */
  readonly liveLeases: number;
  readonly liveReservations: number;
  /** Entries in jobs:active, whoever holds them. */
  readonly activeJobs: number;
  /** The slot counter: live and expired-but-not-yet-swept leases and reservations. */
  readonly slotsTaken: number;
  readonly spentUsd: number;
  /** Spawn times inside the rate window. */
  readonly recentSpawns: readonly number[];
  /** Released machines still in their stop grace (their slots are in slotsTaken). */
  readonly exitingMachines: number;
  /** When the first of them frees its slot (Redis ms); 0 when none. */
  readonly nextExitAt: number;
  /** What machines whose job may keep them past their TTL may cost beyond their slot's reservation (USD). */
  readonly beyondTtlUsd: number;
}

const count = v.pipe(v.number(), v.integer(), v.minValue(0));
const decimal = v.pipe(v.string(), v.regex(/^-?\d+(\.\d+)?(e[-+]?\d+)?$/i), v.transform(Number));

export const AdmissionSnapshotSchema = v.pipe(
  v.tuple([
    count,
    count,
    count,
    count,
    count,
    v.pipe(v.number(), v.integer()),
    decimal,
    v.array(decimal),
    count,
    count,
    decimal,
  ]),
  v.transform(
    ([
      now,
      pendingJobs,
      liveLeases,
      liveReservations,
      activeJobs,
      slotsTaken,
      spentUsd,
      recentSpawns,
      exitingMachines,
      nextExitAt,
      beyondTtlUsd,
    ]) =>
      ({
        now,
        pendingJobs,
        liveLeases,
        liveReservations,
        activeJobs,
        slotsTaken,
        spentUsd,
        recentSpawns,
        exitingMachines,
        nextExitAt,
        beyondTtlUsd,
      }) satisfies AdmissionSnapshot,
  ),
);

/**
 * The core's view of a snapshot. Leases and reservations that expired but still hold a slot (the sweep has not
 * removed them yet) cannot take work, yet they occupy the cap and the sweep will charge each its worst-case cost:
 * so they shrink the cap and count as spent, which keeps decideAdmission in step with reserve-machines' guards.
 * Exiting machines hold their slot too, but they are charged already and their slot frees at a known time.
 */
export const admissionView = (
  snapshot: AdmissionSnapshot,
  config: AdmissionConfig,
): { readonly input: AdmissionInput; readonly config: AdmissionConfig } => {
  const deadSlots = Math.max(
    0,
    snapshot.slotsTaken - snapshot.liveLeases - snapshot.liveReservations - snapshot.exitingMachines,
  );
  return {
    input: {
      now: snapshot.now,
      recentSpawns: snapshot.recentSpawns,
      liveMachines: snapshot.liveLeases,
      reservedMachines: snapshot.liveReservations,
      exitingMachines: snapshot.exitingMachines,
      nextExitAt: snapshot.nextExitAt,
      busyMachines: snapshot.activeJobs,
      pendingJobs: snapshot.pendingJobs,
      spentThisMonthUsd: snapshot.spentUsd + deadSlots * config.machineMaxCostUsd,
      committedBeyondTtlUsd: snapshot.beyondTtlUsd,
    },
    config: { ...config, maxMachines: config.maxMachines - deadSlots },
  };
};
