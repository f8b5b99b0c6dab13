// Runs a `/multi-exec` body as MULTI, the commands, EXEC on a connection lent to this transaction alone.
import { err, ok, type Result, ResultAsync } from "neverthrow";
import type { RedisReply } from "./encode-reply.ts";
import type { RedisCommand } from "./parse-command-body.ts";
import {
  type BatchEntry,
  type CommandFailure,
  classifyFailure,
  isReplyError,
  sendCommand,
} from "./run-redis-command.ts";
import type { TransactionConnectionPool } from "./transaction-connection-pool.ts";

const MULTI: RedisCommand = { name: "MULTI", args: [] };
const EXEC: RedisCommand = { name: "EXEC", args: [] };

interface ExecOutcome {
  readonly result: Result<BatchEntry[], CommandFailure>;
  readonly connection: "reusable" | "broken";
}

/**
 * Errors at queue time (unknown command, wrong arity) abort the whole transaction (EXECABORT, nothing runs);
 * errors at run time (INCR on a string) are per-entry and the other commands still apply, as in Redis.
 */
export function runTransaction(
  pool: TransactionConnectionPool,
  commands: readonly RedisCommand[],
): ResultAsync<BatchEntry[], CommandFailure> {
  return ResultAsync.fromPromise(pool.acquire(), classifyFailure).andThen(
    (connection) =>
      new ResultAsync(
        Promise.allSettled(
          [MULTI, ...commands, EXEC].map((command) => sendCommand(connection, command)),
        ).then((settled) => {
          const outcome = readExecOutcome(settled);
          pool.release(connection, outcome.connection);
          return outcome.result;
        }),
      ),
  );
}

function readExecOutcome(settled: PromiseSettledResult<RedisReply>[]): ExecOutcome {
  const transportFailure = settled.find((s) => s.status === "rejected" && !isReplyError(s.reason));
  if (transportFailure?.status === "rejected") {
    return { result: err(classifyFailure(transportFailure.reason)), connection: "broken" };
  }
  const multi = settled[0];
  const exec = settled.at(-1);
  if (multi?.status !== "fulfilled" || exec === undefined) {
    const reason = multi?.status === "rejected" ? String(multi.reason) : "no reply to MULTI";
    return {
      result: err({ kind: "unavailable", message: `ERR transaction not started: ${reason}` }),
      connection: "broken",
    };
  }
  if (exec.status === "rejected") {
    const firstQueueError = settled.slice(1, -1).find((s) => s.status === "rejected");
    const cause =
      firstQueueError?.status === "rejected" ? ` First error: ${errorMessage(firstQueueError.reason)}` : "";
    return {
      result: err({ kind: "reply", message: `${errorMessage(exec.reason)}${cause}` }),
      connection: "reusable",
    };
  }
  if (!Array.isArray(exec.value)) {
    return { result: err({ kind: "reply", message: "ERR transaction aborted" }), connection: "reusable" };
  }
  const entries = exec.value.map(
    (reply: RedisReply): BatchEntry =>
      reply instanceof Error ? { ok: false, error: reply.message } : { ok: true, reply },
  );
  return { result: ok(entries), connection: "reusable" };
}

function errorMessage(reason: unknown): string {
  return reason instanceof Error ? reason.message : String(reason);
}
