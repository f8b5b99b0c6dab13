// The OpenAPI 3.1 document of the API, generated from the same valibot schemas the routes parse with.
import { toJsonSchemaDefs } from "@valibot/to-json-schema";
import { JobRecordSchema } from "../../../core/job-record.ts";
import {
  CancelRequestSchema,
  CompleteUploadRequestSchema,
  ErrorBodySchema,
  HealthSchema,
  IngestRequestSchema,
  JobViewSchema,
  SignPartsRequestSchema,
  SignPartsResponseSchema,
  StatsSchema,
  UploadRequestSchema,
  UploadResponseSchema,
} from "./api-schemas.ts";

const SCHEMAS = {
  UploadRequest: UploadRequestSchema,
  UploadResponse: UploadResponseSchema,
  CompleteUploadRequest: CompleteUploadRequestSchema,
  SignPartsRequest: SignPartsRequestSchema,
  SignPartsResponse: SignPartsResponseSchema,
  IngestRequest: IngestRequestSchema,
  CancelRequest: CancelRequestSchema,
  Job: JobViewSchema,
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
  402: "this month's budget is spent",
  404: "no such job",
  409: "the job's state does not allow it",
  413: "body (or source) too large",
  422: "the source URL could not be fetched",
  429: "too much work waiting; see Retry-After",
  503: "a backing service is unreachable; see Retry-After",
};

const idempotencyKey = {
  name: "Idempotency-Key",
  in: "header",
  required: false,
  description: "Repeating a request with the same key returns the same job instead of creating another.",
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
          ...errors(400, 401, 402, 413, 429, 503),
        },
      },
    },
    "/api/upload/{id}/parts": {
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
        responses: { "200": { description: "upload assembled" }, ...errors(400, 401, 404, 409, 503) },
      },
    },
    "/api/jobs": {
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
