// Executes parsed commands (single, pipeline, transaction) after the admission check, as bridge outcomes.
import type { Redis } from "ioredis";
import { decideCommandAdmission } from "./decide-command-admission.ts";
import type { RedisCommand } from "./parse-command-body.ts";
import { type BatchEntry, runRedisCommand, toBatchEntry } from "./run-redis-command.ts";
import { runTransaction } from "./run-transaction.ts";
import type { BridgeOutcome } from "./to-bridge-response.ts";
import type { TransactionConnectionPool } from "./transaction-connection-pool.ts";

export interface CommandTargets {
  /** Shared by single commands and pipelines: ioredis pipelines them over one socket. */
  readonly redis: Redis;
  readonly transactions: TransactionConnectionPool;
}

export async function executeCommand(targets: CommandTargets, command: RedisCommand): Promise<BridgeOutcome> {
  const admission = decideCommandAdmission(command);
  if (admission.kind === "refuse")
    return { kind: "failed", failure: { kind: "refused", message: admission.reason } };
  return runRedisCommand(targets.redis, command).match(
    (reply): BridgeOutcome => ({ kind: "single", reply }),
    (failure): BridgeOutcome => ({ kind: "failed", failure }),
  );
}

/** Not atomic (other clients' commands may interleave, as on Upstash), but sent in order; errors are per entry. */
export async function executePipeline(
  targets: CommandTargets,
  commands: readonly RedisCommand[],
): Promise<BridgeOutcome> {
  const entries = await Promise.all(
    commands.map(async (command): Promise<BatchEntry> => {
      const admission = decideCommandAdmission(command);
      if (admission.kind === "refuse") return { ok: false, error: admission.reason };
      return toBatchEntry(await runRedisCommand(targets.redis, command));
    }),
  );
  return { kind: "batch", entries };
}

/** All or nothing: one refused command refuses the whole transaction before anything is sent. */
export async function executeTransaction(
  targets: CommandTargets,
  commands: readonly RedisCommand[],
): Promise<BridgeOutcome> {
  for (const command of commands) {
    const admission = decideCommandAdmission(command);
    if (admission.kind === "refuse")
      return { kind: "failed", failure: { kind: "refused", message: admission.reason } };
  }
  return runTransaction(targets.transactions, commands).match(
    (entries): BridgeOutcome => ({ kind: "batch", entries }),
    (failure): BridgeOutcome => ({ kind: "failed", failure }),
  );
}
