// ScriptRunner over Upstash's REST API with @upstash/redis: what the Cloudflare Worker and the Fly workers use.
import { errors, Redis, type Requester } from "@upstash/redis";
import type { ResultAsync } from "neverthrow";
import {
  DEFAULT_TRANSPORT_RETRY,
  runWithNoScriptFallback,
  type ScriptErrorKind,
  type TransportRetry,
} from "./run-with-noscript-fallback.ts";
import type { RedisFailure, ScriptRunner } from "./script-runner.ts";
import { type UpstashEndpoint, UpstashHttpError, upstashRestRequester } from "./upstash-rest-requester.ts";

export type UpstashConnection = UpstashEndpoint;

/** The requester form of Redis takes no options: replies stay raw, for each script's wrapper to validate. */
class RawReplyRedis extends Redis {
  constructor(requester: Requester) {
    super(requester);
    this.opts = { automaticDeserialization: false };
  }
}

/**
 * The client as upstashScriptRunner needs it; the control plane and the workers both build it here. Its HTTP is
 * upstashRestRequester's, which reads each answer's status (the library's own client folds request limits, 5xx
 * and Redis's error replies into one UpstashError) and leaves transport retries to the runner.
 */
export const upstashClient = (connection: UpstashConnection): Redis =>
  new RawReplyRedis(upstashRestRequester(connection));

/**
 * Redis's own error reply (the client throws it as UpstashError), a refusal no retry changes (bad credentials),
 * or a transport failure: limits, 5xx, proxy pages, network errors and timeouts.
 */
export const classifyUpstashError = (error: unknown): ScriptErrorKind => {
  if (error instanceof UpstashHttpError) return error.retryable ? "transport" : "refused";
  return error instanceof errors.UpstashError ? "redis-reply" : "transport";
};

/** The client must come from `upstashClient`: only its requester tells Upstash's HTTP failures from Redis's. */
export const upstashScriptRunner = (
  redis: Redis,
  retry: TransportRetry = DEFAULT_TRANSPORT_RETRY,
): ScriptRunner => ({
  run: (script, keys, args): ResultAsync<unknown, RedisFailure> =>
    runWithNoScriptFallback(
      {
        evalsha: (sha1, k, a) => redis.evalsha(sha1, [...k], [...a]),
        eval: (source, k, a) => redis.eval(source, [...k], [...a]),
        classify: classifyUpstashError,
      },
      script,
      keys,
      args,
      retry,
    ),
});
