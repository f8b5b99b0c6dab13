// The webhook outbox (webhook-outbox.lua): finished jobs whose client webhook is still owed, oldest first, so a
// webhook lost with its sender (a crash, a dropped callback, a job the sweep failed) is sent by the cron.
import type { ResultAsync } from "neverthrow";
import * as v from "valibot";
import { at, flatRows } from "./flat-rows.ts";
import { LUA_SCRIPTS } from "./generated/lua-scripts.ts";
import type { RedisKeys } from "./key-schema.ts";
import { parseScriptReply, type UnexpectedReply } from "./parse-script-reply.ts";
import type { RedisFailure, ScriptRunner } from "./script-runner.ts";

export type WebhookOutboxError = RedisFailure | UnexpectedReply;

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

export const webhookOutbox = (runner: ScriptRunner, keys: RedisKeys): WebhookOutbox => ({
  due: (minAgeMs, limit) => {
    if (!Number.isInteger(minAgeMs) || minAgeMs < 0) throw new RangeError(`minAgeMs must be an integer ≥ 0`);
    if (!Number.isInteger(limit) || limit < 1) throw new RangeError(`limit must be an integer ≥ 1`);
    return runner
      .run(LUA_SCRIPTS.webhookOutbox, [keys.webhookOutbox], ["due", minAgeMs, limit])
      .andThen((reply) => parseScriptReply("webhook-outbox", Reply.due, reply))
      .map(([, now, owed]) => ({ now, owed }));
  },
  settle: (jobId) =>
    runner
      .run(LUA_SCRIPTS.webhookOutbox, [keys.webhookOutbox], ["settle", jobId])
      .andThen((reply) => parseScriptReply("webhook-outbox", Reply.settle, reply))
      .map(() => undefined),
});
