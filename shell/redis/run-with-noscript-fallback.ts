// Shared EVALSHA → EVAL fallback with transport retries, for any client that can send those two commands.
import { ResultAsync } from "neverthrow";
import pRetry from "p-retry";
import { isUnavailableReply } from "../../core/classify-redis-error-reply.ts";
import type { LuaScript } from "./lua-script.ts";
import { isNoScriptError, type RedisFailure, type ScriptArg } from "./script-runner.ts";

/**
 * What a thrown error was: Redis's own error reply (a script bug, or NOSCRIPT), a refusal that no retry changes
 * (bad credentials), or a transport failure worth retrying (network, timeout, request limits, 5xx).
 */
export type ScriptErrorKind = "redis-reply" | "refused" | "transport";

export interface ScriptTransport {
  evalsha(sha1: string, keys: readonly string[], args: readonly ScriptArg[]): Promise<unknown>;
  eval(source: string, keys: readonly string[], args: readonly ScriptArg[]): Promise<unknown>;
  classify(error: unknown): ScriptErrorKind;
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
 * request limits, 5xx) and Redis's replies that it cannot serve now (BUSY, LOADING, a failover...) are retried
 * with backoff, then read as `redis-unavailable`; other Redis error replies and refusals are not retried and read
 * as `redis-error`. Every script is written to be safe to repeat.
 */
export const runWithNoScriptFallback = (
  transport: ScriptTransport,
  script: LuaScript,
  keys: readonly string[],
  args: readonly ScriptArg[],
  retry: TransportRetry = DEFAULT_TRANSPORT_RETRY,
): ResultAsync<unknown, RedisFailure> => {
  const classify = (error: unknown): ScriptErrorKind => {
    const kind = transport.classify(error);
    return kind === "redis-reply" && isUnavailableReply(messageOf(error)) ? "transport" : kind;
  };
  const attempt = async (): Promise<unknown> => {
    try {
      return await transport.evalsha(script.sha1, keys, args);
    } catch (error) {
      if (classify(error) === "redis-reply" && isNoScriptError(messageOf(error))) {
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
      shouldRetry: ({ error }) => classify(error) === "transport",
    }),
    (error): RedisFailure =>
      classify(error) === "transport"
        ? { kind: "redis-unavailable", message: `${script.name}: ${messageOf(error)}` }
        : { kind: "redis-error", message: `${script.name}: ${messageOf(error)}` },
  );
};
