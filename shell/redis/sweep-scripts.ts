// Typed wrappers of sweep-snapshot.lua and sweep-release.lua, the two atomic halves of the lease sweep.
import type { ResultAsync } from "neverthrow";
import * as v from "valibot";
import type { CalendarMonth } from "../../core/month-key.ts";
import { at, flatRows } from "./flat-rows.ts";
import { LUA_SCRIPTS } from "./generated/lua-scripts.ts";
import { monthArgs } from "./in-redis-month.ts";
import { type RedisKeys, slotReleaseKeys } from "./key-schema.ts";
import { type MachineStoreError, runMachineScript } from "./machine-script.ts";
import type { ScriptRunner } from "./script-runner.ts";

export interface ActiveIndexEntry {
  readonly jobId: string;
  /** The index value, "<machineId>|<leaseToken>", verbatim: sweep-release removes an entry only if unchanged. */
  readonly entry: string;
  readonly machineId: string;
  readonly leaseToken: string;
  /** The job hash's own fields; null where the hash lacks them (the job is gone). */
  readonly job: {
    readonly status: string | null;
    readonly leaseToken: string | null;
    readonly attempts: number | null;
    readonly retryBase: number | null;
  };
}

export interface SweepSnapshot {
  readonly now: number;
  readonly leases: readonly { readonly machineId: string; readonly expiresAt: number }[];
  readonly active: readonly ActiveIndexEntry[];
  readonly reservations: readonly { readonly reservationId: string; readonly expiresAt: number }[];
  /** Released machines in their stop grace: `until` is when their slot frees. */
  readonly exiting: readonly { readonly machineId: string; readonly until: number }[];
}

export interface SweepRelease {
  readonly machinesReleased: number;
  readonly reservationsDropped: number;
  readonly staleEntriesRemoved: number;
}

const int = v.pipe(v.number(), v.integer());
const optionalText = (text: string): string | null => (text === "" ? null : text);
const optionalCount = (text: string): number | null => (/^\d+$/.test(text) ? Number(text) : null);

const activeEntry = (row: readonly string[]): ActiveIndexEntry => {
  const entry = at(row, 1);
  const bar = entry.indexOf("|");
  return {
    jobId: at(row, 0),
    entry,
    machineId: bar < 0 ? entry : entry.slice(0, bar),
    leaseToken: bar < 0 ? "" : entry.slice(bar + 1),
    job: {
      status: optionalText(at(row, 2)),
      leaseToken: optionalText(at(row, 3)),
      attempts: optionalCount(at(row, 4)),
      retryBase: optionalCount(at(row, 5)),
    },
  };
};

const Reply = {
  snapshot: v.tuple([
    v.literal(1),
    int,
    flatRows(2, 1, (r) => ({ machineId: at(r, 0), expiresAt: Number(at(r, 1)) })),
    flatRows(6, null, activeEntry),
    flatRows(2, 1, (r) => ({ reservationId: at(r, 0), expiresAt: Number(at(r, 1)) })),
    flatRows(2, 1, (r) => ({ machineId: at(r, 0), until: Number(at(r, 1)) })),
  ]),
  release: v.union([
    v.tuple([v.literal(1), int, int, int]),
    v.tuple([v.literal(0), v.literal(0), v.literal(0), v.literal(0)]),
  ]),
};

/** Everything the sweep plans from, read at one Redis instant. */
export const readSweepSnapshot = (
  runner: ScriptRunner,
  keys: RedisKeys,
): ResultAsync<SweepSnapshot, MachineStoreError> =>
  runMachineScript(
    runner,
    LUA_SCRIPTS.sweepSnapshot,
    [keys.workerLeases, keys.jobsActive, keys.workerReservations, keys.workerExiting],
    [keys.jobStatusPrefix],
    Reply.snapshot,
  ).map(([, now, leases, active, reservations, exiting]) => ({ now, leases, active, reservations, exiting }));

/**
 * Removes the given leases and reservations that are still expired by Redis time, each freeing one slot and
 * charging `deadMachineCostUsd` to `month`, and the given index entries that are still stale.
 */
export const releaseSwept = (
  runner: ScriptRunner,
  keys: RedisKeys,
  month: CalendarMonth,
  deadMachineCostUsd: number,
  swept: {
    readonly machineIds: readonly string[];
    readonly reservationIds: readonly string[];
    readonly staleEntries: readonly Pick<ActiveIndexEntry, "jobId" | "entry">[];
  },
): ResultAsync<SweepRelease, MachineStoreError> => {
  const { spendKey, bounds } = monthArgs(keys, month);
  return runMachineScript(
    runner,
    LUA_SCRIPTS.sweepRelease,
    slotReleaseKeys(keys, spendKey),
    [
      ...bounds,
      deadMachineCostUsd,
      keys.jobStatusPrefix,
      swept.machineIds.length,
      ...swept.machineIds,
      swept.reservationIds.length,
      ...swept.reservationIds,
      ...swept.staleEntries.flatMap((e) => [e.jobId, e.entry]),
    ],
    Reply.release,
  ).map(([, machinesReleased, reservationsDropped, staleEntriesRemoved]) => ({
    machinesReleased,
    reservationsDropped,
    staleEntriesRemoved,
  }));
};
