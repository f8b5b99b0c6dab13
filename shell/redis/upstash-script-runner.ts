// ScriptRunner over Upstash's REST API with @upstash/redis: what the Cloudflare Worker and the Fly workers use.
import { errors, Redis } from "@upstash/redis";
import type { ResultAsync } from "neverthrow";
import {
  DEFAULT_TRANSPORT_RETRY,
  runWithNoScriptFallback,
  type TransportRetry,
} from "./run-with-noscript-fallback.ts";
import type { RedisFailure, ScriptRunner } from "./script-runner.ts";

export interface UpstashConnection {
  readonly url: string;
  readonly token: string;
  /** Bound on each REST call. */
  readonly timeoutMs: number;
}

/** The client as upstashScriptRunner needs it; the control plane and the workers both build it here. */
export const upstashClient = ({ url, token, timeoutMs }: UpstashConnection): Redis =>
  new Redis({
    url,
    token,
    // Replies are validated by each script's wrapper; transport retries happen once, in the runner.
    automaticDeserialization: false,
    retry: false,
    enableTelemetry: false,
    // Every value we store is UTF-8 text (ids, numbers, JSON): plain replies spare a base64 round on both ends.
    responseEncoding: false,
    signal: () => AbortSignal.timeout(timeoutMs),
  });

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
