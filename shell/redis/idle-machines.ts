// Which Fly machine runs each TCoder machine (note-fly-machine.lua), and which of them sit idle while work waits
// (idle-machines.lua): what the control plane needs to nudge a polling worker instead of waiting for its poll.
import type { ResultAsync } from "neverthrow";
import * as v from "valibot";
import { at, flatRows } from "./flat-rows.ts";
import { LUA_SCRIPTS } from "./generated/lua-scripts.ts";
import type { RedisKeys } from "./key-schema.ts";
import { type MachineStoreError, runMachineScript } from "./machine-script.ts";
import type { ScriptRunner } from "./script-runner.ts";

export interface IdleMachines {
  /** Redis time of the read. */
  readonly now: number;
  /** Pending jobs a worker could claim now (not waiting out a retry delay). */
  readonly claimablePending: number;
  /** Live machines with no running job, and the Fly machine each runs on. */
  readonly idle: readonly { readonly machineId: string; readonly flyMachineId: string }[];
}

const count = v.pipe(v.number(), v.integer(), v.minValue(0));
const Reply = {
  noted: v.tuple([v.literal(1)]),
  idle: v.tuple([
    v.literal(1),
    count,
    count,
    flatRows(2, null, (row) => ({ machineId: at(row, 0), flyMachineId: at(row, 1) })),
  ]),
};

/** Remembers `flyMachineId` for `machineId` for `ttlMs` (the machine's longest possible life). */
export const noteFlyMachine = (
  runner: ScriptRunner,
  keys: RedisKeys,
  machineId: string,
  flyMachineId: string,
  ttlMs: number,
): ResultAsync<void, MachineStoreError> => {
  if (!Number.isInteger(ttlMs) || ttlMs <= 0)
    throw new RangeError(`ttlMs must be an integer > 0, got ${ttlMs}`);
  return runMachineScript(
    runner,
    LUA_SCRIPTS.noteFlyMachine,
    [`${keys.flyMachinePrefix}${machineId}`],
    [flyMachineId, ttlMs],
    Reply.noted,
  ).map(() => undefined);
};

export const readIdleMachines = (
  runner: ScriptRunner,
  keys: RedisKeys,
): ResultAsync<IdleMachines, MachineStoreError> =>
  runMachineScript(
    runner,
    LUA_SCRIPTS.idleMachines,
    [keys.workerLeases, keys.jobsActive, keys.jobsPending],
    [keys.flyMachinePrefix],
    Reply.idle,
  ).map(([, now, claimablePending, idle]) => ({ now, claimablePending, idle }));
