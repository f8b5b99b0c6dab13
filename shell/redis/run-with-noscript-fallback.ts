// Shared EVALSHA → EVAL fallback with transport retries, for any client that can send those two commands.
import { ResultAsync } from "neverthrow";
import pRetry from "p-retry";
import type { LuaScript } from "./lua-script.ts";
import { isNoScriptError, type RedisFailure, type ScriptArg } from "./script-runner.ts";

export interface ScriptTransport {
  evalsha(sha1: string, keys: readonly string[], args: readonly ScriptArg[]): Promise<unknown>;
  eval(source: string, keys: readonly string[], args: readonly ScriptArg[]): Promise<unknown>;
  /** Whether a thrown error came back from Redis itself (an error reply) rather than from the transport. */
  isRedisReply(error: unknown): boolean;
}

export interface TransportRetry {
  readonly retries: number;
  readonly minTimeoutMs: number;
  readonly maxTimeoutMs: number;
}

export const DEFAULT_TRANSPORT_RETRY: TransportRetry = { retries: 3, minTimeoutMs: 50, maxTimeoutMs: 1000 };

const messageOf = (error: unknown): string => (error instanceof Error ? error.message : String(error));

/**
 * Runs a script by hash, loading it with EVAL when Redis does not know it. Transport failures (network, timeout,
 * 5xx) are retried with backoff; Redis error replies are not. Every script is written to be safe to repeat.
 */
export const runWithNoScriptFallback = (
  transport: ScriptTransport,
  script: LuaScript,
  keys: readonly string[],
  args: readonly ScriptArg[],
  retry: TransportRetry = DEFAULT_TRANSPORT_RETRY,
): ResultAsync<unknown, RedisFailure> => {
  const attempt = async (): Promise<unknown> => {
    try {
      return await transport.evalsha(script.sha1, keys, args);
    } catch (error) {
      if (transport.isRedisReply(error) && isNoScriptError(messageOf(error))) {
        return await transport.eval(script.source, keys, args);
      }
      throw error;
    }
  };
  return ResultAsync.fromPromise(
    pRetry(attempt, {
      retries: retry.retries,
      minTimeout: retry.minTimeoutMs,
      maxTimeout: retry.maxTimeoutMs,
      randomize: true,
      shouldRetry: ({ error }) => !transport.isRedisReply(error),
    }),
    (error): RedisFailure =>
      transport.isRedisReply(error)
        ? { kind: "redis-error", message: `${script.name}: ${messageOf(error)}` }
        : { kind: "redis-unavailable", message: `${script.name}: ${messageOf(error)}` },
  );
};
