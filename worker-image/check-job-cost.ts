// Before a planned job runs: its estimated machine cost against the month's budget (core/decide-job-cost.ts). A job
// that fits in the machine's reserved life (TTL × price) runs; one that may keep the machine past its TTL first
// raises the machine's commitment in Redis, so admission counts it, or fails with the reason when there is no room.
import { err, ok, type Result, type ResultAsync } from "neverthrow";
import { checkJobBudget, decideJobCost, estimateJobCost } from "../core/decide-job-cost.ts";
import type { FfmpegPlan } from "../core/ffmpeg/ffmpeg-plan.ts";
import type { MachineGuest } from "../core/machine-guest.ts";
import { FLY_PRICES_2026 } from "../core/price-machine-time.ts";
import type { CommitOutcome } from "../shell/redis/commit-machine-cost.ts";
import type { MachineStoreError } from "../shell/redis/machine-script.ts";
import { type JobFailure, leaseLost, overBudget, workerFault } from "./job-failure.ts";

/** Lets a plan run, or answers why it may not. */
export type AdmitPlan = (plan: FfmpegPlan) => Promise<Result<void, JobFailure>>;

export interface JobCostDeps {
  readonly machineId: string;
  readonly guest: MachineGuest;
  readonly machineStartedAt: number;
  readonly machineTtlMs: number;
  readonly clock: () => number;
  /** commit-machine-cost.lua for this machine, within the month's budget. */
  readonly commit: (
    commitmentUsd: number,
    reservedUsd: number,
  ) => ResultAsync<CommitOutcome, MachineStoreError>;
}

export const checkJobCost =
  (deps: JobCostDeps): AdmitPlan =>
  async (plan) => {
    const estimate = estimateJobCost(
      {
        timeLimitMs: plan.commands.reduce((sum, command) => sum + command.timeLimitMs, 0),
        guest: deps.guest,
        machineAgeMs: deps.clock() - deps.machineStartedAt,
        machineTtlMs: deps.machineTtlMs,
      },
      FLY_PRICES_2026,
    );
    const decision = decideJobCost(estimate);
    if (decision.kind === "within-reservation") return ok(undefined);
    const committed = await deps.commit(decision.commitmentUsd, estimate.reservedUsd);
    if (committed.isErr()) {
      const { error } = committed;
      if (error.kind === "lease-lost") return err(leaseLost(deps.machineId));
      const why = "message" in error ? error.message : error.kind;
      return err(workerFault(`cannot check the job's cost against the budget: ${why}`));
    }
    if (committed.value.committed) return ok(undefined);
    const check = checkJobBudget(estimate, committed.value.budget);
    // The script and checkJobBudget share their arithmetic; at a float's edge the script's refusal stands.
    return check.kind === "over-budget"
      ? err(overBudget(check.message, check.retryable))
      : err(overBudget("the month's budget has no room for the job's estimated machine cost", true));
  };
