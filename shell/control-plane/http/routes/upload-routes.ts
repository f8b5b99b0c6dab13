// POST /api/upload, GET /api/upload/:id/parts (the parts stored), POST /api/upload/:id/parts (more part URLs) and
// POST /api/upload/:id/complete.
import { errAsync } from "neverthrow";
import { completeUpload } from "../../intake/complete-upload.ts";
import { createUpload } from "../../intake/create-upload.ts";
import { listUploadParts } from "../../intake/list-upload-parts.ts";
import { checkIdempotencyKey } from "../../intake/persist-new-job.ts";
import { signUploadParts } from "../../intake/sign-upload-parts.ts";
import {
  CompleteUploadRequestSchema,
  SignPartsRequestSchema,
  StoredPartsQuerySchema,
  UploadRequestSchema,
} from "../api-schemas.ts";
import { parseJsonBody } from "../parse-json-body.ts";
import { parseQuery } from "../parse-query.ts";
import { type App, jobIdParam, type RouteContext, respond, viewContext } from "../route-kit.ts";

export const registerUploadRoutes = (app: App, ctx: RouteContext): void => {
  app.post("/api/upload", async (c) => {
    const text = await c.req.text();
    const result = checkIdempotencyKey(c.req.header("idempotency-key")).andThen((idempotencyKey) =>
      parseJsonBody(UploadRequestSchema, text).asyncAndThen((request) =>
        createUpload(
          ctx.deps,
          request,
          { keyId: c.get("keyId"), idempotencyKey },
          viewContext(ctx, c).origin,
        ),
      ),
    );
    return respond(ctx, result, ({ created, body }) => c.json(body, created ? 201 : 200));
  });

  app.get("/api/upload/:id/parts", async (c) => {
    const jobId = jobIdParam(c);
    const result =
      typeof jobId === "string"
        ? parseQuery(StoredPartsQuerySchema, c.req.query()).asyncAndThen(({ uploadId }) =>
            listUploadParts(ctx.deps, jobId, c.get("keyId"), uploadId),
          )
        : errAsync(jobId);
    return respond(ctx, result, (body) => c.json(body, 200));
  });

  app.post("/api/upload/:id/parts", async (c) => {
    const jobId = jobIdParam(c);
    const text = await c.req.text();
    const result =
      typeof jobId === "string"
        ? parseJsonBody(SignPartsRequestSchema, text).asyncAndThen((request) =>
            signUploadParts(ctx.deps, jobId, c.get("keyId"), request),
          )
        : errAsync(jobId);
    return respond(ctx, result, (body) => c.json(body, 200));
  });

  app.post("/api/upload/:id/complete", async (c) => {
    const jobId = jobIdParam(c);
    const text = await c.req.text();
    const result =
      typeof jobId === "string"
        ? parseJsonBody(CompleteUploadRequestSchema, text).asyncAndThen((request) =>
            completeUpload(ctx.deps, jobId, c.get("keyId"), request),
          )
        : errAsync(jobId);
    return respond(ctx, result, (body) => c.json(body, 200));
  });
};
