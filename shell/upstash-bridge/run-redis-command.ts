// Sends one command to Redis through ioredis with raw Buffer replies and turns failures into values.
import { Command, type Redis, ReplyError } from "ioredis";
import { ResultAsync } from "neverthrow";
import type { RedisReply } from "./encode-reply.ts";
import type { RedisCommand } from "./parse-command-body.ts";

export type CommandFailure =
  | { readonly kind: "reply"; readonly message: string } // Redis answered with an error reply
  | { readonly kind: "refused"; readonly message: string } // the bridge would not send it
  | { readonly kind: "timeout"; readonly message: string }
  | { readonly kind: "unavailable"; readonly message: string };

/** One entry of a pipeline or transaction answer: failures are per command, not per request. */
export type BatchEntry =
  | { readonly ok: true; readonly reply: RedisReply }
  | { readonly ok: false; readonly error: string };

// ioredis's own message when `commandTimeout` fires.
const IOREDIS_TIMEOUT_MESSAGE = "Command timed out";

export function runRedisCommand(
  redis: Redis,
  command: RedisCommand,
): ResultAsync<RedisReply, CommandFailure> {
  return ResultAsync.fromPromise(sendCommand(redis, command), classifyFailure);
}

/**
 * Writes the command synchronously (so commands issued in a row reach Redis in that order) and resolves with the
 * raw reply. Upper-case names matter: ioredis keys its reply transformers by lower-case name and would otherwise
 * turn an HGETALL reply into an object.
 */
export function sendCommand(redis: Redis, command: RedisCommand): Promise<RedisReply> {
  const sent = new Command(command.name.toUpperCase(), [...command.args], { replyEncoding: null });
  redis.sendCommand(sent);
  return sent.promise as Promise<RedisReply>;
}

export function isReplyError(error: unknown): error is Error {
  return error instanceof (ReplyError as new () => Error);
}

export function classifyFailure(error: unknown): CommandFailure {
  const message = error instanceof Error ? error.message : String(error);
  if (isReplyError(error)) return { kind: "reply", message };
  if (message === IOREDIS_TIMEOUT_MESSAGE)
    return { kind: "timeout", message: "ERR command timed out in the bridge" };
  return { kind: "unavailable", message: `ERR Redis unavailable: ${message}` };
}

export function toBatchEntry(result: Awaited<ReturnType<typeof runRedisCommand>>): BatchEntry {
  return result.match(
    (reply): BatchEntry => ({ ok: true, reply }),
    (failure): BatchEntry => ({ ok: false, error: failure.message }),
  );
}
