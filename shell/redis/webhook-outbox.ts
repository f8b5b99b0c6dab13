// The webhook outbox (webhook-outbox.lua): finished jobs whose client webhook is still owed, oldest first, so a
// webhook lost with its sender (a crash, a dropped callback, a job the sweep failed) is sent by the cron.
import { errAsync, okAsync, type ResultAsync } from "neverthrow";
import * as v from "valibot";
import { at, flatRows } from "./flat-rows.ts";
import { LUA_SCRIPTS } from "./generated/lua-scripts.ts";
import type { RedisKeys } from "./key-schema.ts";
import type { RedisFailure, ScriptRunner } from "./script-runner.ts";

export type WebhookOutboxError =
  | RedisFailure
  | { readonly kind: "unexpected-reply"; readonly message: string };

export interface OwedWebhook {
  readonly jobId: string;
  /** When the job finished, in Redis ms. */
  readonly finishedAt: number;
}

export interface WebhookOutbox {
  /** Up to `limit` owed webhooks whose job finished at least `minAgeMs` ago, oldest first, and Redis time. */
  due(
    minAgeMs: number,
    limit: number,
  ): ResultAsync<{ readonly now: number; readonly owed: readonly OwedWebhook[] }, WebhookOutboxError>;
  /** The job's webhook is owed no more. */
  settle(jobId: string): ResultAsync<void, WebhookOutboxError>;
}

const Reply = {
  due: v.tuple([
    v.literal(1),
    v.pipe(v.number(), v.integer()),
    flatRows(2, 1, (row) => ({ jobId: at(row, 0), finishedAt: Number(at(row, 1)) })),
  ]),
  settle: v.tuple([v.literal(1), v.picklist([0, 1])]),
};

const parse = <S extends v.GenericSchema>(
  schema: S,
  reply: unknown,
): ResultAsync<v.InferOutput<S>, WebhookOutboxError> => {
  const parsed = v.safeParse(schema, reply);
  return parsed.success
    ? okAsync(parsed.output)
    : errAsync({
        kind: "unexpected-reply",
        message: `webhook-outbox: ${JSON.stringify(reply).slice(0, 200)}`,
      });
};

export const webhookOutbox = (runner: ScriptRunner, keys: RedisKeys): WebhookOutbox => ({
  due: (minAgeMs, limit) => {
    if (!Number.isInteger(minAgeMs) || minAgeMs < 0) throw new RangeError(`minAgeMs must be an integer ≥ 0`);
    if (!Number.isInteger(limit) || limit < 1) throw new RangeError(`limit must be an integer ≥ 1`);
    return runner
      .run(LUA_SCRIPTS.webhookOutbox, [keys.webhookOutbox], ["due", minAgeMs, limit])
      .andThen((reply) => parse(Reply.due, reply))
      .map(([, now, owed]) => ({ now, owed }));
  },
  settle: (jobId) =>
    runner
      .run(LUA_SCRIPTS.webhookOutbox, [keys.webhookOutbox], ["settle", jobId])
      .andThen((reply) => parse(Reply.settle, reply))
      .map(() => undefined),
});
