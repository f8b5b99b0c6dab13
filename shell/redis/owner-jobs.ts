// One API key's side of the job store: what it has in flight and has spent this month (owner-usage.lua, for its
// own limits) and its jobs newest first, a page at a time (list-owner-jobs.lua, for GET /api/jobs).
import { errAsync, okAsync, type ResultAsync } from "neverthrow";
import * as v from "valibot";
import type { KeyUsage } from "../../core/decide-job-acceptance.ts";
import type { JobStatus } from "../../core/job-status.ts";
import type { CalendarMonth } from "../../core/month-key.ts";
import { LUA_SCRIPTS } from "./generated/lua-scripts.ts";
import { inRedisMonth } from "./in-redis-month.ts";
import { decodeJobRecord, type JobRecord } from "./job-record.ts";
import type { JobStoreError } from "./job-store.ts";
import type { RedisKeys } from "./key-schema.ts";
import { parseScriptReply } from "./parse-script-reply.ts";
import type { ScriptRunner } from "./script-runner.ts";

/** Where a page ended: the last index entry read (its job id and creation time). */
export interface OwnerJobsCursor {
  readonly jobId: string;
  readonly createdAt: number;
}

export interface OwnerJobsQuery {
  /** Most jobs in the page. */
  readonly limit: number;
  /** Most index entries to read (planJobListScan). */
  readonly scan: number;
  readonly status: JobStatus | null;
  /** null: from the newest. */
  readonly after: OwnerJobsCursor | null;
}

export interface OwnerJobsPage {
  readonly records: readonly JobRecord[];
  /** Where the next page starts; null once the key's index is read to its end. */
  readonly next: OwnerJobsCursor | null;
}

export interface OwnerJobs {
  usage(keyId: string): ResultAsync<KeyUsage, JobStoreError>;
  list(keyId: string, query: OwnerJobsQuery): ResultAsync<OwnerJobsPage, JobStoreError>;
}

const int = v.pipe(v.number(), v.integer());
const decimal = v.pipe(v.string(), v.regex(/^-?\d+(\.\d+)?(e[-+]?\d+)?$/i), v.transform(Number));
const Reply = {
  usage: v.union([v.tuple([v.literal(-3), int]), v.tuple([v.literal(1), int, int, decimal])]),
  list: v.tuple([v.picklist([0, 1]), v.string(), v.string(), v.array(v.array(v.string()))]),
};

type MonthChanged = { readonly kind: "month-changed"; readonly now: number };

export const ownerJobs = (runner: ScriptRunner, keys: RedisKeys, clock: () => number): OwnerJobs => {
  const usageIn = (
    keyId: string,
    month: CalendarMonth,
  ): ResultAsync<KeyUsage, JobStoreError | MonthChanged> =>
    runner
      .run(
        LUA_SCRIPTS.ownerUsage,
        [keys.openJobsByOwner(keyId), keys.ownerSpend(month.key, keyId)],
        [month.startMs, month.endMs],
      )
      .andThen((reply) => parseScriptReply("owner-usage", Reply.usage, reply))
      .andThen((r): ResultAsync<KeyUsage, JobStoreError | MonthChanged> => {
        if (r[0] === -3) return errAsync({ kind: "month-changed", now: r[1] });
        const [, now, openJobs, spentUsd] = r;
        return okAsync({ openJobs, spentUsd, msUntilMonthEnd: month.endMs - now });
      });

  return {
    usage: (keyId) =>
      inRedisMonth(clock(), (month) => usageIn(keyId, month)).mapErr(
        (error): JobStoreError =>
          error.kind === "month-changed"
            ? { kind: "unexpected-reply", message: "owner-usage: the month changed twice" }
            : error,
      ),

    list: (keyId, query) =>
      runner
        .run(
          LUA_SCRIPTS.listOwnerJobs,
          [keys.jobsByOwner(keyId)],
          [
            keys.jobStatusPrefix,
            query.after?.jobId ?? "",
            query.after?.createdAt ?? "",
            query.limit,
            query.scan,
            query.status ?? "",
          ],
        )
        .andThen((reply) => parseScriptReply("list-owner-jobs", Reply.list, reply))
        .andThen(([more, lastId, lastScore, hashes]) => {
          const records: JobRecord[] = [];
          for (const hash of hashes) {
            const decoded = decodeJobRecord(hash);
            if (decoded.isErr()) return errAsync<OwnerJobsPage, JobStoreError>(decoded.error);
            if (decoded.value !== null) records.push(decoded.value);
          }
          const next = more === 1 ? { jobId: lastId, createdAt: Number(lastScore) } : null;
          return okAsync({ records, next });
        }),
  };
};
