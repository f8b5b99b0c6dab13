// GET /api/jobs: the caller's jobs, newest first, a page at a time. It reads a bounded stretch of the key's index
// (planJobListScan), renders each job as GET /api/jobs/:id does, and hands back an opaque cursor: where the stretch
// ended, so a filtered page may be short and the next one goes on from there.
import { errAsync, ResultAsync } from "neverthrow";
import { planJobListScan } from "../../../core/plan-job-list-scan.ts";
import type { OwnerJobsCursor } from "../../redis/owner-jobs.ts";
import type { ControlPlaneDeps } from "../config/control-plane-deps.ts";
import type { ApiError } from "../http/api-error.ts";
import type { JobList, ListJobsQuery } from "../http/api-schemas.ts";
import { fromStoreError } from "../http/store-failures.ts";
import { renderJobView, type ViewContext } from "./render-job-view.ts";

const CURSOR = /^(\d{1,16})\.([A-Za-z0-9_-]{8,64})$/;

const toBase64Url = (text: string): string =>
  btoa(text).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");

export const encodeCursor = (cursor: OwnerJobsCursor): string =>
  toBase64Url(`${cursor.createdAt}.${cursor.jobId}`);

/** The cursor a page handed out, or null for anything else. */
export const decodeCursor = (text: string): OwnerJobsCursor | null => {
  let plain: string;
  try {
    plain = atob(text.replace(/-/g, "+").replace(/_/g, "/"));
  } catch {
    return null;
  }
  const match = CURSOR.exec(plain);
  return match ? { createdAt: Number(match[1]), jobId: match[2] as string } : null;
};

export const listOwnedJobs = (
  deps: ControlPlaneDeps,
  keyId: string,
  query: ListJobsQuery,
  view: ViewContext,
): ResultAsync<JobList, ApiError> => {
  const after = query.cursor === undefined ? null : decodeCursor(query.cursor);
  if (query.cursor !== undefined && after === null) {
    return errAsync({ kind: "invalid-request", message: "cursor is not one we gave out" });
  }
  const status = query.status ?? null;
  return deps.owners
    .list(keyId, { limit: query.limit, scan: planJobListScan(query.limit, status !== null), status, after })
    .mapErr(fromStoreError)
    .andThen((page) =>
      ResultAsync.fromSafePromise(
        Promise.all(page.records.map((record) => renderJobView(deps, record.job, view))),
      ).map((jobs) => ({ jobs, nextCursor: page.next === null ? null : encodeCursor(page.next) })),
    );
};
