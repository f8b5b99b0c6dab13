// POST /api/jobs (URL ingest), GET /api/jobs/:id, GET /api/jobs/:id/record, POST /api/jobs/:id/cancel, GET /api/stats.
import { errAsync, okAsync, type ResultAsync } from "neverthrow";
import type { Job } from "../../../../core/job-lifecycle/job-state.ts";
import { handOffBackgroundTask } from "../../background/hand-off-background-task.ts";
import { ingestFromUrl } from "../../intake/ingest-from-url.ts";
import { checkIdempotencyKey } from "../../intake/persist-new-job.ts";
import { readJobRecord } from "../../views/read-job-record.ts";
import { renderJobView } from "../../views/render-job-view.ts";
import type { ApiError } from "../api-error.ts";
import { CancelRequestSchema, IngestRequestSchema, type Stats } from "../api-schemas.ts";
import { parseJsonBody } from "../parse-json-body.ts";
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

  const loadJob = (c: AppContext): ResultAsync<Job, ApiError> => {
    const jobId = jobIdParam(c);
    if (typeof jobId !== "string") return errAsync(jobId);
    return deps.jobs
      .load(jobId)
      .mapErr(fromStoreError)
      .andThen((record) =>
        record
          ? okAsync(record.job)
          : errAsync<never, ApiError>({ kind: "not-found", message: `no job ${jobId}` }),
      );
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
    const jobId = jobIdParam(c);
    const text = await c.req.text();
    const view = viewContext(ctx, c);
    const result =
      typeof jobId === "string"
        ? parseJsonBody(CancelRequestSchema, text, { emptyAs: {} }).asyncAndThen(({ reason }) =>
            deps.jobs
              .transition(
                jobId,
                { type: "cancel", at: deps.clock(), ...(reason ? { reason } : {}) },
                deps.config.retryPolicy,
              )
              .mapErr(fromTransitionError),
          )
        : errAsync<never, ApiError>(jobId);
    return respond(ctx, result, async (job) => {
      defer(ctx, c, handOffBackgroundTask(deps, { kind: "webhook", jobId: job.jobId, origin: view.origin }));
      return c.json(await renderJobView(deps, job, view));
    });
  });

  app.get("/api/stats", async (c) => {
    const result = deps.views
      .admissionSnapshot()
      .mapErr(fromStoreError)
      .map(
        (s): Stats => ({
          machines: {
            active: s.liveLeases,
            reserved: s.liveReservations,
            max: deps.config.admission.maxMachines,
          },
          jobs: { pending: s.pendingJobs, active: s.activeJobs },
          spend: { monthUsd: s.spentUsd, budgetUsd: deps.config.admission.monthlyBudgetUsd },
        }),
      );
    return respond(ctx, result, (stats) => c.json(stats));
  });
};
