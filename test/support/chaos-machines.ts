// One machine store configuration shared by the chaos worker process and the test that sweeps behind it.
import { jobRetryPolicy } from "../../core/decide-job-retry.ts";
import type { JobStore } from "../../shell/redis/job-store.ts";
import type { RedisKeys } from "../../shell/redis/key-schema.ts";
import { type MachineStore, machineStore } from "../../shell/redis/machine-store.ts";
import type { ScriptRunner } from "../../shell/redis/script-runner.ts";

/** Short leases so a killed worker is noticed in well under a second; a generous attempt budget. */
export const CHAOS_LEASE_MS = 600;
export const CHAOS_POLICY = jobRetryPolicy({ maxAttempts: 20, baseDelayMs: 0, maxDelayMs: 0 });

export const chaosMachines = (runner: ScriptRunner, keys: RedisKeys, jobs: JobStore): MachineStore =>
  machineStore(
    runner,
    keys,
    jobs,
    {
      admission: {
        maxMachines: 100,
        spawnRate: { maxSpawns: 100, windowMs: 1000 },
        monthlyBudgetUsd: 1_000_000,
        machineMaxCostUsd: 0.01,
        capacityRetryMs: 1000,
        bootDeadlineMs: 60_000,
      },
      leaseMs: CHAOS_LEASE_MS,
      retryPolicy: CHAOS_POLICY,
      stopGraceMs: 0,
    },
    Date.now,
  );
