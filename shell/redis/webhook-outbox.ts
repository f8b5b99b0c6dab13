// The webhook outbox (webhook-outbox.lua): finished jobs whose client webhook is still owed, each with its own next
// attempt time, so a webhook lost with its sender (a crash, a dropped callback, a job the sweep failed) is sent by
// the cron, and an endpoint that keeps failing waits on its own backoff without holding back anyone else's.
import type { ResultAsync } from "neverthrow";
import * as v from "valibot";
import type { OwedWebhookEntry } from "../../core/decide-webhook-delivery.ts";
import { at, flatRows } from "./flat-rows.ts";
import { LUA_SCRIPTS } from "./generated/lua-scripts.ts";
import type { RedisKeys } from "./key-schema.ts";
import { parseScriptReply, type UnexpectedReply } from "./parse-script-reply.ts";
import type { RedisFailure, ScriptRunner } from "./script-runner.ts";

export type WebhookOutboxError = RedisFailure | UnexpectedReply;

export interface OwedWebhook extends OwedWebhookEntry {
  readonly jobId: string;
}

export interface WebhookOutbox {
  /**
   * Takes up to `limit` owed webhooks that are due, earliest first: fresh ones `minAgeMs` after their job finished,
   * retries at their next attempt time. Each is held for `holdMs` (not due again before, unless rescheduled), so
   * concurrent runs do not send it twice and one whose sender died comes back. With Redis time.
   */
  due(
    minAgeMs: number,
    limit: number,
    holdMs: number,
  ): ResultAsync<{ readonly now: number; readonly owed: readonly OwedWebhook[] }, WebhookOutboxError>;
  /** The job's webhook is owed no more. */
  settle(jobId: string): ResultAsync<void, WebhookOutboxError>;
  /**
   * A taken webhook's next attempt, `waitMs` from now; `failed`: its attempt failed (counted), else it was not
   * tried. False when it was settled meanwhile (another sender delivered it).
   */
  reschedule(
    jobId: string,
    waitMs: number,
    failed: boolean,
  ): ResultAsync<{ readonly rescheduled: boolean; readonly failedAttempts: number }, WebhookOutboxError>;
}

const Count = v.pipe(v.number(), v.integer(), v.minValue(0));

const Reply = {
  due: v.tuple([
    v.literal(1),
    v.pipe(v.number(), v.integer()),
    v.pipe(
      flatRows(3, 1, (row) => ({
        jobId: at(row, 0),
        firstOwedAt: Number(at(row, 1)),
        failedAttempts: Number(at(row, 2)),
      })),
      v.check((rows) => rows.every((row) => Number.isInteger(row.failedAttempts)), "failed attempts"),
    ),
  ]),
  settle: v.tuple([v.literal(1), v.picklist([0, 1])]),
  reschedule: v.tuple([v.literal(1), v.picklist([0, 1]), Count]),
};

const checkMs = (name: string, value: number, min: number) => {
  if (!Number.isInteger(value) || value < min) throw new RangeError(`${name} must be an integer ≥ ${min}`);
};

export const webhookOutbox = (runner: ScriptRunner, keys: RedisKeys): WebhookOutbox => {
  const scriptKeys = [keys.webhookOutbox, keys.webhookRetry, keys.webhookOwed];
  return {
    due: (minAgeMs, limit, holdMs) => {
      checkMs("minAgeMs", minAgeMs, 0);
      checkMs("limit", limit, 1);
      checkMs("holdMs", holdMs, 1);
      return runner
        .run(LUA_SCRIPTS.webhookOutbox, scriptKeys, ["due", minAgeMs, limit, holdMs])
        .andThen((reply) => parseScriptReply("webhook-outbox", Reply.due, reply))
        .map(([, now, owed]) => ({ now, owed }));
    },
    settle: (jobId) =>
      runner
        .run(LUA_SCRIPTS.webhookOutbox, scriptKeys, ["settle", jobId])
        .andThen((reply) => parseScriptReply("webhook-outbox", Reply.settle, reply))
        .map(() => undefined),
    reschedule: (jobId, waitMs, failed) => {
      checkMs("waitMs", waitMs, 0);
      return runner
        .run(LUA_SCRIPTS.webhookOutbox, scriptKeys, ["reschedule", jobId, waitMs, failed ? "1" : "0"])
        .andThen((reply) => parseScriptReply("webhook-outbox", Reply.reschedule, reply))
        .map(([, rescheduled, failedAttempts]) => ({ rescheduled: rescheduled === 1, failedAttempts }));
    },
  };
};
