// The port every Redis adapter needs: run one Lua script atomically and get its raw reply, or a failure value.
import type { ResultAsync } from "neverthrow";
import type { LuaScript } from "./lua-script.ts";

export type RedisFailure =
  /**
   * Redis could not be reached, did not answer in time, or said it cannot serve now (BUSY, LOADING, a failover);
   * the script may or may not have run.
   */
  | { readonly kind: "redis-unavailable"; readonly message: string }
  /** Redis answered with an error, or refused the credentials: a bug or bad configuration, never worth retrying. */
  | { readonly kind: "redis-error"; readonly message: string };

export type ScriptArg = string | number;

export interface ScriptRunner {
  run(
    script: LuaScript,
    keys: readonly string[],
    args: readonly ScriptArg[],
  ): ResultAsync<unknown, RedisFailure>;
}

export const isNoScriptError = (message: string): boolean => message.includes("NOSCRIPT");
