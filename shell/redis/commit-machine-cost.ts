// Typed wrapper of commit-machine-cost.lua: a machine raises its whole-life commitment for a job that may keep it
// past its TTL, within the month's budget (in the month Redis TIME says it is).
import type { ResultAsync } from "neverthrow";
import * as v from "valibot";
import type { BudgetState } from "../../core/decide-job-cost.ts";
import { LUA_SCRIPTS } from "./generated/lua-scripts.ts";
import { inRedisMonth, monthArgs } from "./in-redis-month.ts";
import type { RedisKeys } from "./key-schema.ts";
import { type MachineStoreError, runMachineScript } from "./machine-script.ts";
import type { ScriptRunner } from "./script-runner.ts";

export interface MachineCommitment {
  readonly machineId: string;
  readonly commitmentUsd: number;
  readonly monthlyBudgetUsd: number;
  /** What admission reserves for one machine (TTL × price). */
  readonly reservedUsd: number;
}

/** `committed`: written; otherwise the budget had no room. `budget`: what the script counted. */
export interface CommitOutcome {
  readonly committed: boolean;
  readonly budget: BudgetState;
}

const decimal = v.pipe(v.string(), v.regex(/^-?\d+(\.\d+)?(e[-+]?\d+)?$/i), v.transform(Number));
const Reply = v.tuple([v.picklist([0, 1]), decimal, decimal]);

export const commitMachineCost = (
  runner: ScriptRunner,
  keys: RedisKeys,
  commitment: MachineCommitment,
  clockGuessMs: number,
): ResultAsync<CommitOutcome, MachineStoreError> =>
  inRedisMonth(clockGuessMs, (month) => {
    const { spendKey, bounds } = monthArgs(keys, month);
    return runMachineScript(
      runner,
      LUA_SCRIPTS.commitMachineCost,
      [keys.workerLeases, keys.activeMachines, spendKey, keys.workerCommitments, keys.workerExiting],
      [
        ...bounds,
        commitment.machineId,
        commitment.commitmentUsd,
        commitment.monthlyBudgetUsd,
        commitment.reservedUsd,
      ],
      Reply,
    );
  }).map(([code, spentUsd, heldByOthersUsd]) => ({
    committed: code === 1,
    budget: { monthlyBudgetUsd: commitment.monthlyBudgetUsd, spentUsd, heldByOthersUsd },
  }));
