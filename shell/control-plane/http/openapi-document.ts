// The OpenAPI 3.1 document of the API, generated from the same valibot schemas the routes parse with.
import { toJsonSchemaDefs } from "@valibot/to-json-schema";
import { JobRecordSchema } from "../../../core/job-record.ts";
import { JOB_STATUSES } from "../../../core/job-status.ts";
import {
  CancelRequestSchema,
  CompleteUploadRequestSchema,
  CompleteUploadResponseSchema,
  ErrorBodySchema,
  HealthSchema,
  IngestRequestSchema,
  JobListSchema,
  JobViewSchema,
  SignPartsRequestSchema,
  SignPartsResponseSchema,
  StatsSchema,
  StoredPartsResponseSchema,
  UploadRequestSchema,
  UploadResponseSchema,
  WebhookEventSchema,
} from "./api-schemas.ts";

const SCHEMAS = {
  UploadRequest: UploadRequestSchema,
  UploadResponse: UploadResponseSchema,
  CompleteUploadRequest: CompleteUploadRequestSchema,
  CompleteUploadResponse: CompleteUploadResponseSchema,
  StoredParts: StoredPartsResponseSchema,
  SignPartsRequest: SignPartsRequestSchema,
  SignPartsResponse: SignPartsResponseSchema,
  IngestRequest: IngestRequestSchema,
  CancelRequest: CancelRequestSchema,
  Job: JobViewSchema,
  JobList: JobListSchema,
  WebhookEvent: WebhookEventSchema,
  Stats: StatsSchema,
  Error: ErrorBodySchema,
  Health: HealthSchema,
  JobRecord: JobRecordSchema,
};

/**
 * JSON Schema 2020-12 (OpenAPI 3.1's dialect) by @valibot/to-json-schema; an unsupported schema or action throws
 * when the document is built. JSON Schema patterns have no flags, so a case-insensitive regex says so in words.
 */
const componentSchemas = () => {
  const defs = toJsonSchemaDefs(SCHEMAS, {
    target: "draft-2020-12",
    errorMode: "throw",
    // JSON has no NaN or Infinity: every JSON number is finite already.
    ignoreActions: ["finite"],
    overrideAction: ({ valibotAction, jsonSchema }) => {
      const requirement: unknown = "requirement" in valibotAction ? valibotAction.requirement : null;
      if (valibotAction.type !== "regex" || !(requirement instanceof RegExp) || requirement.flags !== "i")
        return undefined;
      return { ...jsonSchema, pattern: requirement.source, description: "pattern is case-insensitive" };
    },
  });
  // Each component stands alone inside the OpenAPI document, which states the dialect once.
  return Object.fromEntries(
    Object.entries(defs).map(([name, schema]) => {
      const { $schema: _dialect, ...rest } = schema;
      return [name, rest];
    }),
  );
};

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const json = (name: string) => ({ content: { "application/json": { schema: ref(name) } } });
const reply = (description: string, name: string) => ({ description, ...json(name) });
const errors = (...statuses: number[]) =>
  Object.fromEntries(
    statuses.map((status) => [String(status), reply(ERROR_TEXT[status] ?? "error", "Error")]),
  );

const ERROR_TEXT: Readonly<Record<number, string>> = {
  400: "malformed or invalid request",
  401: "missing or bad API key",
  402: "this month's budget has no room for another machine (budget-exhausted)",
  404: "no such job (job-not-found: also another API key's job)",
  409: "the job's state does not allow it (upload-received: a replayed upload request after the upload arrived)",
  413: "body (or source) too large",
  422: "the source URL could not be fetched, or idempotency-key-reused: the key made a job with another request",
  429: "too much work waiting, or this API key at its own limit (key-pending-cap, key-budget-exhausted); see Retry-After",
  503: "a backing service is unreachable (code store-unavailable: the job store); see Retry-After",
};

const idempotencyKey = {
  name: "Idempotency-Key",
  in: "header",
  required: false,
  description:
    "Repeating a request with the same key returns the same job instead of creating another; the same key with " +
    "another request (route or body) is refused with 422 idempotency-key-reused. Keys are scoped per API key.",
  schema: { type: "string", pattern: "^[A-Za-z0-9_.:-]{1,128}$" },
};
const jobId = { name: "id", in: "path", required: true, schema: { type: "string" } };

export const openApiDocument = () => ({
  openapi: "3.1.0",
  info: {
    title: "TCoder control plane",
    version: "1.0.0",
    description:
      "Webhooks: when a job given a webhookUrl finishes, TCoder POSTs `{id, type, createdAt, data}` (type " +
      "`job.completed`, `job.failed` or `job.cancelled`; data as GET /api/jobs/{id}) with a `TCoder-Signature: " +
      "t=<unix seconds>,v1=<hex HMAC-SHA256 of '<t>.<body>' under the webhook secret>` header. Delivery is at " +
      "least once: retried on network errors, 408, 429 and 5xx, then by the every-minute cron for up to a day. " +
      "Deduplicate on `id`; reject stale timestamps.",
  },
  components: {
    schemas: componentSchemas(),
    securitySchemes: { apiKey: { type: "http", scheme: "bearer" } },
  },
  security: [{ apiKey: [] }],
  webhooks: {
    jobFinished: {
      post: {
        summary: "Sent to a job's webhookUrl when it completes, fails or is cancelled",
        parameters: [
          {
            name: "TCoder-Signature",
            in: "header",
            required: true,
            description: "t=<unix seconds>,v1=<hex HMAC-SHA256 of '<t>.<raw body>'>",
            schema: { type: "string" },
          },
        ],
        requestBody: { required: true, ...json("WebhookEvent") },
        responses: { "200": { description: "received; other 2xx work too, 408/429/5xx are retried" } },
      },
    },
  },
  paths: {
    "/api/upload": {
      post: {
        summary:
          "Create a job and get a presigned upload URL for exactly `size` bytes (or multipart part URLs)",
        parameters: [idempotencyKey],
        requestBody: { required: true, ...json("UploadRequest") },
        responses: {
          "201": reply("job created", "UploadResponse"),
          "200": reply("replayed", "UploadResponse"),
          ...errors(400, 401, 402, 409, 413, 422, 429, 503),
        },
      },
    },
    "/api/upload/{id}/parts": {
      get: {
        summary:
          "The parts of a multipart upload that storage holds, so an interrupted upload sends only the rest",
        parameters: [jobId, { name: "uploadId", in: "query", required: true, schema: { type: "string" } }],
        responses: { "200": reply("stored parts", "StoredParts"), ...errors(400, 401, 404, 409, 503) },
      },
      post: {
        summary: "Sign part URLs of a multipart upload: the ones not listed at creation, or fresh copies",
        parameters: [jobId],
        requestBody: { required: true, ...json("SignPartsRequest") },
        responses: { "200": reply("part URLs", "SignPartsResponse"), ...errors(400, 401, 404, 409, 503) },
      },
    },
    "/api/upload/{id}/complete": {
      post: {
        summary: "Complete a multipart upload",
        parameters: [jobId],
        requestBody: { required: true, ...json("CompleteUploadRequest") },
        responses: {
          "200": reply("upload assembled", "CompleteUploadResponse"),
          ...errors(400, 401, 404, 409, 503),
        },
      },
    },
    "/api/jobs": {
      get: {
        summary:
          "The calling API key's jobs, newest first, a page at a time; a status filter reads a bounded stretch, " +
          "so its pages may be short: follow nextCursor until it is null",
        parameters: [
          {
            name: "limit",
            in: "query",
            required: false,
            schema: { type: "integer", minimum: 1, maximum: 100, default: 20 },
          },
          {
            name: "cursor",
            in: "query",
            required: false,
            schema: { type: "string" },
            description: "nextCursor of the previous page",
          },
          {
            name: "status",
            in: "query",
            required: false,
            schema: { type: "string", enum: [...JOB_STATUSES] },
          },
        ],
        responses: { "200": reply("a page of jobs", "JobList"), ...errors(400, 401, 503) },
      },
      post: {
        summary: "Create a job from a URL (the control plane fetches it into storage)",
        parameters: [idempotencyKey],
        requestBody: { required: true, ...json("IngestRequest") },
        responses: {
          "201": reply("job created", "Job"),
          "200": reply("replayed", "Job"),
          ...errors(400, 401, 402, 413, 422, 429, 503),
        },
      },
    },
    "/api/jobs/{id}": {
      get: {
        summary: "A job's status, progress, cost and outputs",
        parameters: [jobId],
        responses: { "200": reply("the job", "Job"), ...errors(401, 404, 503) },
      },
    },
    "/api/jobs/{id}/record": {
      get: {
        summary:
          "A finished job's reproducible record: every ffprobe/ffmpeg argv, the FFmpeg version, the input's probe " +
          "summary, the plan's decisions, each output's SHA-256 and an SSIM score per video output",
        parameters: [jobId],
        responses: {
          "200": reply("the record", "JobRecord"),
          ...errors(401, 404, 409, 503),
        },
      },
    },
    "/api/jobs/{id}/cancel": {
      post: {
        summary: "Cancel a job that has not finished",
        parameters: [jobId],
        requestBody: { required: false, ...json("CancelRequest") },
        responses: { "200": reply("cancelled", "Job"), ...errors(400, 401, 404, 409, 503) },
      },
    },
    "/api/stats": {
      get: {
        summary: "Machines, queue and spend",
        responses: { "200": reply("stats", "Stats"), ...errors(401, 503) },
      },
    },
    "/api/openapi.json": {
      get: { summary: "This document", security: [], responses: { "200": { description: "OpenAPI 3.1" } } },
    },
    "/health": { get: { summary: "Liveness", security: [], responses: { "200": reply("up", "Health") } } },
    "/media/{token}/{jobId}/{path}": {
      get: {
        summary: "HLS playlists (proxied) and segments (302 to storage) under a signed, expiring token",
        security: [],
        parameters: [
          { name: "token", in: "path", required: true, schema: { type: "string" } },
          { name: "jobId", in: "path", required: true, schema: { type: "string" } },
          { name: "path", in: "path", required: true, schema: { type: "string" } },
        ],
        responses: {
          "200": { description: "a playlist" },
          "302": { description: "a segment's storage URL" },
          "404": reply("no such output, or the link expired", "Error"),
        },
      },
    },
  },
});
