// POST /api/jobs (URL ingest), GET /api/jobs (the caller's jobs), GET /api/jobs/:id, GET /api/jobs/:id/record,
// POST /api/jobs/:id/cancel, GET /api/stats. A job is only ever the calling API key's own (load-owned-job.ts).
import { errAsync, ResultAsync } from "neverthrow";
import { keyLimitsFor } from "../../../../core/decide-job-acceptance.ts";
import type { Job } from "../../../../core/job-lifecycle/job-state.ts";
import { handOffBackgroundTask } from "../../background/hand-off-background-task.ts";
import { ingestFromUrl } from "../../intake/ingest-from-url.ts";
import { checkIdempotencyKey } from "../../intake/persist-new-job.ts";
import { listOwnedJobs } from "../../views/list-owned-jobs.ts";
import { readJobRecord } from "../../views/read-job-record.ts";
import { renderJobView } from "../../views/render-job-view.ts";
import type { ApiError } from "../api-error.ts";
import { CancelRequestSchema, IngestRequestSchema, ListJobsQuerySchema, type Stats } from "../api-schemas.ts";
import { loadOwnedJob } from "../load-owned-job.ts";
import { parseJsonBody } from "../parse-json-body.ts";
import { parseQuery } from "../parse-query.ts";
import {
  type App,
  type AppContext,
  defer,
  jobIdParam,
  type RouteContext,
  respond,
  viewContext,
} from "../route-kit.ts";
import { fromStoreError, fromTransitionError } from "../store-failures.ts";

export const registerJobRoutes = (app: App, ctx: RouteContext): void => {
  const { deps } = ctx;

  app.post("/api/jobs", async (c) => {
    const text = await c.req.text();
    const result = checkIdempotencyKey(c.req.header("idempotency-key")).andThen((idempotencyKey) =>
      parseJsonBody(IngestRequestSchema, text).asyncAndThen((request) =>
        ingestFromUrl(deps, request, { keyId: c.get("keyId"), idempotencyKey }),
      ),
    );
    return respond(ctx, result, async ({ created, job }) => {
      if (created) defer(ctx, c, handOffBackgroundTask(deps, { kind: "spawn" }));
      return c.json(await renderJobView(deps, job, viewContext(ctx, c)), created ? 201 : 200);
    });
  });

  app.get("/api/jobs", async (c) => {
    const result = parseQuery(ListJobsQuerySchema, c.req.query()).asyncAndThen((query) =>
      listOwnedJobs(deps, c.get("keyId"), query, viewContext(ctx, c)),
    );
    return respond(ctx, result, (list) => c.json(list));
  });

  const loadJob = (c: AppContext): ResultAsync<Job, ApiError> => {
    const jobId = jobIdParam(c);
    if (typeof jobId !== "string") return errAsync(jobId);
    return loadOwnedJob(deps, jobId, c.get("keyId")).map((record) => record.job);
  };

  app.get("/api/jobs/:id", async (c) =>
    respond(ctx, loadJob(c), async (job) => c.json(await renderJobView(deps, job, viewContext(ctx, c)))),
  );

  app.get("/api/jobs/:id/record", async (c) =>
    respond(
      ctx,
      loadJob(c).andThen((job) => readJobRecord(deps, job)),
      (record) => c.json(record),
    ),
  );

  app.post("/api/jobs/:id/cancel", async (c) => {
    const text = await c.req.text();
    const view = viewContext(ctx, c);
    const result = parseJsonBody(CancelRequestSchema, text, { emptyAs: {} }).asyncAndThen(({ reason }) =>
      loadJob(c).andThen((job) =>
        deps.jobs
          .transitionFrom(
            job,
            { type: "cancel", at: deps.clock(), ...(reason ? { reason } : {}) },
            deps.config.retryPolicy,
          )
          .mapErr(fromTransitionError),
      ),
    );
    return respond(ctx, result, async (job) => {
      defer(ctx, c, handOffBackgroundTask(deps, { kind: "webhook", jobId: job.jobId, origin: view.origin }));
      return c.json(await renderJobView(deps, job, view));
    });
  });

  app.get("/api/stats", async (c) => {
    const keyId = c.get("keyId");
    const limits = keyLimitsFor(keyId, deps.config.keyLimits);
    const result = ResultAsync.combine([
      deps.views.admissionSnapshot().mapErr(fromStoreError),
      deps.owners.usage(keyId).mapErr(fromStoreError),
    ] as const).map(
      ([s, usage]): Stats => ({
        machines: {
          active: s.liveLeases,
          reserved: s.liveReservations,
          max: deps.config.admission.maxMachines,
        },
        jobs: { pending: s.pendingJobs, active: s.activeJobs },
        spend: { monthUsd: s.spentUsd, budgetUsd: deps.config.admission.monthlyBudgetUsd },
        key: {
          id: keyId,
          jobs: { open: usage.openJobs, max: limits.maxPendingJobs },
          spend: { monthUsd: usage.spentUsd, budgetUsd: limits.monthlyBudgetUsd },
        },
      }),
    );
    return respond(ctx, result, (stats) => c.json(stats));
  });
};
