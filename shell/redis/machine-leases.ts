// Typed wrappers of register-machine.lua and heartbeat-machine.lua: a machine's lease, taken and kept alive.
import type { ResultAsync } from "neverthrow";
import * as v from "valibot";
import { LUA_SCRIPTS } from "./generated/lua-scripts.ts";
import type { RedisKeys } from "./key-schema.ts";
import { type MachineStoreError, runMachineScript } from "./machine-script.ts";
import type { ScriptRunner } from "./script-runner.ts";

export interface LeaseConfig {
  /** Lease length from each registration or heartbeat; heartbeat well within it. */
  readonly leaseMs: number;
  /** The admission cap, for a machine registering without a reservation. */
  readonly maxMachines: number;
}

export type Registration = {
  /** How the slot was found: the machine's own reservation, a lease it already had, or a free slot. */
  readonly kind: "from-reservation" | "renewed" | "free-slot";
  /** Redis time at which the lease lapses unless extended. */
  readonly expiresAt: number;
};

const int = v.pipe(v.number(), v.integer());
const REGISTRATION_KINDS = { 1: "from-reservation", 2: "renewed", 3: "free-slot" } as const;
const Reply = {
  register: v.tuple([v.picklist([1, 2, 3]), int]),
  heartbeat: v.tuple([v.literal(1), int]),
};

/** Registers a booted machine: lease-lost if its lease already lapsed, no-free-slot without reservation or room. */
export const registerMachine = (
  runner: ScriptRunner,
  keys: RedisKeys,
  machineId: string,
  config: LeaseConfig,
): ResultAsync<Registration, MachineStoreError> =>
  runMachineScript(
    runner,
    LUA_SCRIPTS.registerMachine,
    [keys.workerLeases, keys.workerReservations, keys.activeMachines],
    [machineId, config.leaseMs, config.maxMachines],
    Reply.register,
  ).map(([code, expiresAt]) => ({ kind: REGISTRATION_KINDS[code], expiresAt }));

/** Extends a live lease by `leaseMs` from Redis now; lease-lost once it has lapsed, for good. */
export const heartbeatMachine = (
  runner: ScriptRunner,
  keys: RedisKeys,
  machineId: string,
  leaseMs: number,
): ResultAsync<{ readonly expiresAt: number }, MachineStoreError> =>
  runMachineScript(
    runner,
    LUA_SCRIPTS.heartbeatMachine,
    [keys.workerLeases],
    [machineId, leaseMs],
    Reply.heartbeat,
  ).map(([, expiresAt]) => ({ expiresAt }));
