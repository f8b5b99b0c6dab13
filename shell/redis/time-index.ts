// A job index scored by time (time-index.lua): jobs:intake (when the cron next looks for a job's input) and
// jobs:ended (when a job ended, for input retention). Read in due order; changed only where unchanged since read.
import type { ResultAsync } from "neverthrow";
import * as v from "valibot";
import { at, flatRows } from "./flat-rows.ts";
import { LUA_SCRIPTS } from "./generated/lua-scripts.ts";
import { parseScriptReply, type UnexpectedReply } from "./parse-script-reply.ts";
import type { RedisFailure, ScriptRunner } from "./script-runner.ts";

export type TimeIndexError = RedisFailure | UnexpectedReply;

export interface TimeIndexEntry {
  readonly jobId: string;
  /** ms */
  readonly score: number;
}

export interface TimeIndex {
  /** Up to `limit` entries scored at or before `upTo` (ms), lowest first. */
  due(upTo: number, limit: number): ResultAsync<readonly TimeIndexEntry[], TimeIndexError>;
  /** Removes the entry if it still has the score it was read with; true if it did. */
  settle(entry: TimeIndexEntry): ResultAsync<boolean, TimeIndexError>;
  /** Moves the entry to `score` if it still has the score it was read with; true if it did. */
  reschedule(entry: TimeIndexEntry, score: number): ResultAsync<boolean, TimeIndexError>;
}

const Reply = {
  due: v.tuple([v.literal(1), flatRows(2, 1, (row) => ({ jobId: at(row, 0), score: Number(at(row, 1)) }))]),
  changed: v.tuple([v.literal(1), v.picklist([0, 1])]),
};

const assertMs = (name: string, value: number): void => {
  if (!Number.isSafeInteger(value))
    throw new RangeError(`${name} must be an integer number of ms, got ${value}`);
};

export const timeIndex = (runner: ScriptRunner, key: string): TimeIndex => {
  const change = (args: (string | number)[]) =>
    runner
      .run(LUA_SCRIPTS.timeIndex, [key], args)
      .andThen((reply) => parseScriptReply("time-index", Reply.changed, reply))
      .map(([, changed]) => changed === 1);
  return {
    due: (upTo, limit) => {
      assertMs("upTo", upTo);
      if (!Number.isInteger(limit) || limit < 1) throw new RangeError("limit must be an integer ≥ 1");
      return runner
        .run(LUA_SCRIPTS.timeIndex, [key], ["due", upTo, limit])
        .andThen((reply) => parseScriptReply("time-index", Reply.due, reply))
        .map(([, entries]) => entries);
    },
    settle: ({ jobId, score }) => change(["settle", jobId, score]),
    reschedule: ({ jobId, score }, next) => {
      assertMs("score", next);
      return change(["reschedule", jobId, score, next]);
    },
  };
};
