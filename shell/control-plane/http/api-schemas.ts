// The API's bodies as valibot schemas: requests are parsed with them, responses typed by them, and the OpenAPI
// document is generated from the same objects.
import * as v from "valibot";
import { OUTPUT_TYPES } from "../../../core/job-output.ts";
import { JOB_STATUSES } from "../../../core/job-status.ts";
import { PRESET_NAMES, PresetNameSchema } from "../../../core/preset-names.ts";

// biome-ignore lint/suspicious/noControlCharactersInRegex: refusing control characters is the point.
const NO_CONTROL = /^[^\u0000-\u001f\u007f]*$/;

const HttpUrl = v.pipe(
  v.string(),
  v.maxLength(2048),
  v.url("must be a URL"),
  v.regex(/^https?:\/\//i, "must be an http(s) URL"),
);

export const UploadRequestSchema = v.strictObject({
  filename: v.pipe(
    v.string(),
    v.minLength(1, "filename must not be empty"),
    v.maxLength(255),
    v.regex(NO_CONTROL, "filename must not contain control characters"),
  ),
  preset: PresetNameSchema,
  contentType: v.optional(
    v.pipe(
      v.string(),
      v.maxLength(127),
      v.regex(/^[a-z0-9.+-]+\/[a-z0-9.+-]+$/i, "contentType must be type/subtype"),
    ),
  ),
  /**
   * Bytes the client will upload: signed into the single PUT (storage refuses another length), or into each part
   * URL of a multipart upload. An upload that still arrives at another size is deleted and its job cancelled.
   */
  size: v.pipe(v.number("size: the file's size in bytes is required"), v.integer(), v.minValue(1)),
  /** Ask for a multipart upload (needs `size`); chosen by itself above the multipart threshold. */
  multipart: v.optional(v.boolean()),
  webhookUrl: v.optional(HttpUrl),
});
export type UploadRequest = v.InferOutput<typeof UploadRequestSchema>;

export const UploadResponseSchema = v.object({
  jobId: v.string(),
  inputKey: v.string(),
  /** ISO 8601: when the upload URL(s) stop working. */
  expiresAt: v.string(),
  method: v.literal("PUT"),
  /** Single PUT: send these headers exactly (they are signed). */
  uploadUrl: v.optional(v.string()),
  uploadHeaders: v.optional(v.record(v.string(), v.string())),
  /** Multipart: PUT each part to its URL, then POST the ETags to completeUrl. */
  multipart: v.optional(
    v.object({
      uploadId: v.string(),
      partSize: v.number(),
      /** Parts the file takes: every one but the last is partSize bytes. */
      partCount: v.number(),
      /** The first parts' URLs (all of them for most files); sign the rest, or re-sign any, at partsUrl. */
      parts: v.array(v.object({ partNumber: v.number(), url: v.string() })),
      partsUrl: v.string(),
      completeUrl: v.string(),
    }),
  ),
});
export type UploadResponse = v.InferOutput<typeof UploadResponseSchema>;

export const SignPartsRequestSchema = v.strictObject({
  uploadId: v.pipe(v.string(), v.minLength(1), v.maxLength(1024), v.regex(NO_CONTROL)),
  partNumbers: v.pipe(
    v.array(v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(10_000))),
    v.minLength(1, "partNumbers must not be empty"),
    v.maxLength(1000, "at most 1000 parts per request"),
  ),
});
export type SignPartsRequest = v.InferOutput<typeof SignPartsRequestSchema>;

export const SignPartsResponseSchema = v.object({
  uploadId: v.string(),
  /** ISO 8601: when these part URLs stop working. */
  expiresAt: v.string(),
  parts: v.array(v.object({ partNumber: v.number(), url: v.string() })),
});
export type SignPartsResponse = v.InferOutput<typeof SignPartsResponseSchema>;

export const StoredPartsQuerySchema = v.object({ uploadId: SignPartsRequestSchema.entries.uploadId });

/** GET /api/upload/:id/parts: the parts storage holds so far, ascending; a resumed upload sends only the others. */
export const StoredPartsResponseSchema = v.object({
  uploadId: v.string(),
  parts: v.array(v.object({ partNumber: v.number(), size: v.number(), eTag: v.string() })),
});
export type StoredPartsResponse = v.InferOutput<typeof StoredPartsResponseSchema>;

export const CompleteUploadRequestSchema = v.strictObject({
  uploadId: v.pipe(v.string(), v.minLength(1), v.maxLength(1024), v.regex(NO_CONTROL)),
  parts: v.pipe(
    v.array(
      v.strictObject({
        partNumber: v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(10_000)),
        eTag: v.pipe(v.string(), v.minLength(1), v.maxLength(128), v.regex(NO_CONTROL)),
      }),
    ),
    v.minLength(1, "parts must not be empty"),
    v.maxLength(10_000),
  ),
});
export type CompleteUploadRequest = v.InferOutput<typeof CompleteUploadRequestSchema>;

export const CompleteUploadResponseSchema = v.object({
  jobId: v.string(),
  inputKey: v.string(),
  eTag: v.string(),
});
export type CompleteUploadResponse = v.InferOutput<typeof CompleteUploadResponseSchema>;

export const IngestRequestSchema = v.strictObject({
  inputUrl: HttpUrl,
  preset: PresetNameSchema,
  webhookUrl: v.optional(HttpUrl),
});
export type IngestRequest = v.InferOutput<typeof IngestRequestSchema>;

export const CancelRequestSchema = v.strictObject({
  reason: v.optional(v.pipe(v.string(), v.maxLength(500), v.regex(NO_CONTROL))),
});

export const JobOutputViewSchema = v.object({
  type: v.picklist(OUTPUT_TYPES),
  quality: v.optional(v.string()),
  contentType: v.string(),
  size: v.number(),
  /** Directly fetchable: a presigned GET, or a stable media URL for HLS playlists and segments. */
  url: v.string(),
});

export const JobViewSchema = v.object({
  jobId: v.string(),
  status: v.picklist(JOB_STATUSES),
  preset: v.picklist(PRESET_NAMES),
  source: v.picklist(["upload", "url"]),
  /** 0..100 within the current attempt. */
  progress: v.number(),
  attempts: v.number(),
  outputs: v.array(JobOutputViewSchema),
  error: v.optional(v.object({ code: v.string(), message: v.string(), retryable: v.boolean() })),
  /** Why a cancelled job was cancelled, when a reason was given (by the client, or by intake: an oversized upload). */
  cancelReason: v.optional(v.string()),
  cost: v.nullable(v.object({ usd: v.number(), machineSeconds: v.number() })),
  timestamps: v.object({
    createdAt: v.string(),
    queuedAt: v.nullable(v.string()),
    startedAt: v.nullable(v.string()),
    finishedAt: v.nullable(v.string()),
    updatedAt: v.string(),
  }),
});
export type JobView = v.InferOutput<typeof JobViewSchema>;

/** GET /api/jobs's query: the page size, where the previous page ended, and one status to keep. */
export const ListJobsQuerySchema = v.object({
  limit: v.optional(
    v.pipe(
      v.string(),
      v.regex(/^\d{1,3}$/, "limit must be a whole number from 1 to 100"),
      v.transform(Number),
      v.minValue(1, "limit must be a whole number from 1 to 100"),
      v.maxValue(100, "limit must be a whole number from 1 to 100"),
    ),
    "20",
  ),
  cursor: v.optional(v.pipe(v.string(), v.regex(/^[A-Za-z0-9_-]{1,200}$/, "cursor is not one we gave out"))),
  status: v.optional(v.picklist(JOB_STATUSES, `status must be one of ${JOB_STATUSES.join(", ")}`)),
});
export type ListJobsQuery = v.InferOutput<typeof ListJobsQuerySchema>;

export const JobListSchema = v.object({
  /** The caller's jobs, newest first; a filtered page may be short (even empty) with a cursor to go on from. */
  jobs: v.array(JobViewSchema),
  /** Pass as `cursor` for the next page; null when there is none. */
  nextCursor: v.nullable(v.string()),
});
export type JobList = v.InferOutput<typeof JobListSchema>;

/** The body of a client webhook, signed with TCoder-Signature over `<t>.<raw body>`. */
export const WebhookEventSchema = v.object({
  /** Stable per job outcome: receivers dedupe on it. */
  id: v.string(),
  type: v.picklist(["job.completed", "job.failed", "job.cancelled"]),
  createdAt: v.string(),
  data: JobViewSchema,
});
export type WebhookEvent = v.InferOutput<typeof WebhookEventSchema>;

export const StatsSchema = v.object({
  machines: v.object({ active: v.number(), reserved: v.number(), max: v.number() }),
  jobs: v.object({ pending: v.number(), active: v.number() }),
  spend: v.object({ monthUsd: v.number(), budgetUsd: v.number() }),
  /** The calling API key: its id (for KEY_LIMITS), its unfinished jobs and this month's spend, and its limits. */
  key: v.object({
    id: v.string(),
    jobs: v.object({ open: v.number(), max: v.nullable(v.number()) }),
    spend: v.object({ monthUsd: v.number(), budgetUsd: v.nullable(v.number()) }),
  }),
});
export type Stats = v.InferOutput<typeof StatsSchema>;

export const ErrorBodySchema = v.object({ code: v.string(), message: v.string() });

export const HealthSchema = v.object({ status: v.literal("ok") });
