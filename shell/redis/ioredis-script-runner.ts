// ScriptRunner over RESP with ioredis: for self-hosters with a plain Redis and for the direct-RESP benchmark.
import type { Redis } from "ioredis";
import { ReplyError } from "ioredis";
import type { ResultAsync } from "neverthrow";
import {
  DEFAULT_TRANSPORT_RETRY,
  runWithNoScriptFallback,
  type TransportRetry,
} from "./run-with-noscript-fallback.ts";
import type { RedisFailure, ScriptRunner } from "./script-runner.ts";

export const ioredisScriptRunner = (
  redis: Redis,
  retry: TransportRetry = DEFAULT_TRANSPORT_RETRY,
): ScriptRunner => ({
  run: (script, keys, args): ResultAsync<unknown, RedisFailure> =>
    runWithNoScriptFallback(
      {
        evalsha: (sha1, k, a) => redis.evalsha(sha1, k.length, ...k, ...a.map(String)),
        eval: (source, k, a) => redis.eval(source, k.length, ...k, ...a.map(String)),
        classify: (error) => (error instanceof ReplyError ? "redis-reply" : "transport"),
      },
      script,
      keys,
      args,
      retry,
    ),
});
