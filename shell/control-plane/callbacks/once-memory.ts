// Remembers one-time tokens in Redis for a while (remember-signature.lua): replayed callback signatures, webhooks
// already sent. Keys live under the deployment's prefix: signatures:{hex} and webhooks:{jobId}:{status}:{at}.
import type { ResultAsync } from "neverthrow";
import * as v from "valibot";
import { LUA_SCRIPTS } from "../../redis/generated/lua-scripts.ts";
import type { RedisKeys } from "../../redis/key-schema.ts";
import { parseScriptReply, type UnexpectedReply } from "../../redis/parse-script-reply.ts";
import type { RedisFailure, ScriptRunner } from "../../redis/script-runner.ts";

export type OnceMemoryError = RedisFailure | UnexpectedReply;

export interface OnceMemory {
  /** True the first time `token` is seen within `ttlMs`, false for a repeat. */
  remember(token: string, ttlMs: number): ResultAsync<boolean, OnceMemoryError>;
  /** Lets `token` be used again (the request it guarded failed for a transient reason). */
  forget(token: string): ResultAsync<void, OnceMemoryError>;
}

export const signatureToken = (signatureHex: string): string => `signatures:${signatureHex}`;
export const webhookToken = (jobId: string, status: string, finishedAt: number | null): string =>
  `webhooks:${jobId}:${status}:${finishedAt ?? 0}`;

export const onceMemory = (runner: ScriptRunner, keys: RedisKeys): OnceMemory => {
  const run = (token: string, args: readonly (string | number)[]) =>
    runner
      .run(LUA_SCRIPTS.rememberSignature, [`${keys.prefix}${token}`], args)
      .andThen((reply) => parseScriptReply("remember-signature", v.picklist([0, 1]), reply))
      .map((reply) => reply === 1);
  return {
    remember: (token, ttlMs) => {
      if (!Number.isInteger(ttlMs) || ttlMs < 1) throw new RangeError(`ttlMs must be a positive integer`);
      return run(token, ["remember", ttlMs]);
    },
    forget: (token) => run(token, ["forget"]).map(() => undefined),
  };
};
