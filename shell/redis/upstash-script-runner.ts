// ScriptRunner over Upstash's REST API with @upstash/redis: what the Cloudflare Worker and the Fly workers use.
import { errors, type Redis } from "@upstash/redis";
import type { ResultAsync } from "neverthrow";
import {
  DEFAULT_TRANSPORT_RETRY,
  runWithNoScriptFallback,
  type TransportRetry,
} from "./run-with-noscript-fallback.ts";
import type { RedisFailure, ScriptRunner } from "./script-runner.ts";

/**
 * The client must be built with `automaticDeserialization: false` (replies are validated by each script's wrapper,
 * not JSON-guessed) and `retry: false` (transport retries happen here, once, with the project's policy).
 */
export const upstashScriptRunner = (
  redis: Redis,
  retry: TransportRetry = DEFAULT_TRANSPORT_RETRY,
): ScriptRunner => ({
  run: (script, keys, args): ResultAsync<unknown, RedisFailure> =>
    runWithNoScriptFallback(
      {
        evalsha: (sha1, k, a) => redis.evalsha(sha1, [...k], [...a]),
        eval: (source, k, a) => redis.eval(source, [...k], [...a]),
        // An UpstashError carries Redis's error reply (or an auth error); anything else is transport.
        isRedisReply: (error) => error instanceof errors.UpstashError,
      },
      script,
      keys,
      args,
      retry,
    ),
});
