// Typed wrapper of release-machine.lua: a machine leaves, and the jobs it still held are expired at once.
import type { ResultAsync } from "neverthrow";
import * as v from "valibot";
import type { JobRetryPolicy } from "../../core/decide-job-retry.ts";
import { expireOrphanedJobs, type OrphanExpiry } from "./expire-orphaned-jobs.ts";
import { at, flatRows } from "./flat-rows.ts";
import { LUA_SCRIPTS } from "./generated/lua-scripts.ts";
import { inRedisMonth, monthArgs } from "./in-redis-month.ts";
import type { JobStore } from "./job-store.ts";
import { type RedisKeys, slotReleaseKeys } from "./key-schema.ts";
import { type MachineStoreError, runMachineScript } from "./machine-script.ts";
import type { ScriptRunner } from "./script-runner.ts";

export interface MachineRelease {
  /** False when the machine held nothing any more (a repeated release, or the sweep got there first). */
  readonly released: boolean;
  /** Redis time of the release. */
  readonly now: number;
  /** What became of the jobs the machine still held (normally none: a worker finishes its job first). */
  readonly heldJobs: OrphanExpiry;
}

const Reply = v.tuple([
  v.picklist([0, 1]),
  v.pipe(v.number(), v.integer()),
  flatRows(2, null, (row) => ({ jobId: at(row, 0), leaseToken: at(row, 1) })),
]);

export interface LeavingMachine {
  readonly machineId: string;
  readonly costUsd: number;
  /** How long the slot stays taken: the machine may still be stopping (0 for one that never started). */
  readonly stopGraceMs: number;
}

/**
 * Gives up the machine's lease or reservation and charges `costUsd` to the month Redis TIME is in, once: a
 * repeated release changes nothing. The slot frees after `stopGraceMs`. `clockGuessMs` only picks the month.
 */
export const releaseMachine = (
  runner: ScriptRunner,
  keys: RedisKeys,
  jobs: Pick<JobStore, "transition">,
  policy: JobRetryPolicy,
  machine: LeavingMachine,
  clockGuessMs: number,
): ResultAsync<MachineRelease, MachineStoreError> => {
  if (!Number.isFinite(machine.costUsd) || machine.costUsd < 0) {
    throw new RangeError(`costUsd must be a finite number >= 0, got ${machine.costUsd}`);
  }
  if (!Number.isInteger(machine.stopGraceMs) || machine.stopGraceMs < 0) {
    throw new RangeError(`stopGraceMs must be an integer >= 0, got ${machine.stopGraceMs}`);
  }
  return inRedisMonth(clockGuessMs, (month) => {
    const { spendKey, bounds } = monthArgs(keys, month);
    return runMachineScript(
      runner,
      LUA_SCRIPTS.releaseMachine,
      slotReleaseKeys(keys, spendKey),
      [...bounds, machine.machineId, machine.costUsd, machine.stopGraceMs],
      Reply,
    );
  }).andThen(([code, now, held]) =>
    expireOrphanedJobs(jobs, policy, held, now).map((heldJobs) => ({ released: code === 1, now, heldJobs })),
  );
};
