// A job as its Redis hash holds it: the decider's state field by field (null as ""), plus `meta:*` fields.
import { err, ok, type Result } from "neverthrow";
import * as v from "valibot";
import type { Job } from "../../core/job-lifecycle/job-state.ts";
import { JOB_SOURCES } from "../../core/job-lifecycle/job-state.ts";
import { JobOutputSchema } from "../../core/job-output.ts";
import { JobStatusSchema } from "../../core/job-status.ts";
import { PresetNameSchema } from "../../core/preset-names.ts";
import { type SplitTask, SplitTaskSchema } from "../../core/split/split-tasks.ts";

/** What the API keeps beside the decider's state; the decider never reads these. */
export interface JobMeta {
  readonly webhookUrl: string | null;
  readonly filename: string | null;
  /** The id of the API key that made the job (apiKeyCheck's keyId); null for a job made outside the API. */
  readonly owner?: string | null;
  /** The fingerprint of the request that made it, for an Idempotency-Key replayed with another request. */
  readonly requestHash?: string | null;
  /** A split job's task (core/split/split-tasks.ts): the job it belongs to, and what it does. */
  readonly parent?: string | null;
  readonly task?: SplitTask | null;
  /** A client upload's terms (absent for URL ingest, and for jobs created before they were kept). */
  readonly upload?: UploadTerms;
}

/** What a client was given to upload with: the intake and the cron's expiry check hold it to these. */
export interface UploadTerms {
  /** The bytes the client declared (signed into its URLs). */
  readonly size: number;
  /** When its upload URLs stop working, ms. */
  readonly expiresAt: number;
  /** The multipart upload's id; null for a single PUT. */
  readonly multipartId: string | null;
}

export interface JobRecord {
  readonly job: Job;
  /** Every field as stored (null when empty); `upload` only for a job that kept its upload's terms. */
  readonly meta: Required<Omit<JobMeta, "upload">> & Pick<JobMeta, "upload">;
}

const int = v.pipe(v.string(), v.regex(/^-?\d+$/), v.transform(Number));
const num = v.pipe(v.string(), v.regex(/^-?\d+(\.\d+)?(e[-+]?\d+)?$/i), v.transform(Number));
const nullable = <T extends v.GenericSchema<string, unknown>>(schema: T) =>
  v.union([
    v.pipe(
      v.literal(""),
      v.transform(() => null),
    ),
    schema,
  ]);
const text = v.string();
const json = <T extends v.GenericSchema>(schema: T) =>
  v.pipe(
    v.string(),
    v.rawTransform(({ dataset, addIssue, NEVER }) => {
      try {
        return JSON.parse(dataset.value) as unknown;
      } catch {
        addIssue({ message: "not JSON" });
        return NEVER;
      }
    }),
    schema,
  );

const JobHashSchema = v.object({
  status: JobStatusSchema,
  jobId: text,
  source: v.picklist(JOB_SOURCES),
  preset: PresetNameSchema,
  inputKey: text,
  inputSize: nullable(int),
  attempts: int,
  retryBase: int,
  availableAt: nullable(int),
  leaseToken: nullable(text),
  machineId: nullable(text),
  progress: num,
  error: nullable(json(v.object({ code: v.string(), message: v.string(), retryable: v.boolean() }))),
  outputs: json(v.array(JobOutputSchema)),
  costUsd: nullable(num),
  machineSeconds: nullable(num),
  cancelReason: nullable(text),
  createdAt: int,
  queuedAt: nullable(int),
  startedAt: nullable(int),
  finishedAt: nullable(int),
  updatedAt: int,
  version: int,
  "meta:webhookUrl": v.optional(nullable(text), ""),
  "meta:filename": v.optional(nullable(text), ""),
  "meta:owner": v.optional(nullable(text), ""),
  "meta:requestHash": v.optional(nullable(text), ""),
  "meta:uploadSize": v.optional(int),
  "meta:uploadExpiresAt": v.optional(int),
  "meta:uploadMultipartId": v.optional(nullable(text), ""),
  "meta:parent": v.optional(nullable(text), ""),
  "meta:task": v.optional(nullable(json(SplitTaskSchema)), ""),
});

const field = (value: unknown): string => {
  if (value === null) return "";
  if (typeof value === "object") return JSON.stringify(value);
  return String(value);
};

/** Field/value pairs of a job's whole state, ready for HSET. */
export const encodeJob = (job: Job): string[] =>
  Object.entries(job).flatMap(([k, value]) => [k, field(value)]);

export const encodeMeta = (meta: JobMeta): string[] => [
  "meta:webhookUrl",
  field(meta.webhookUrl),
  "meta:filename",
  field(meta.filename),
  "meta:owner",
  field(meta.owner ?? null),
  "meta:requestHash",
  field(meta.requestHash ?? null),
  ...(meta.upload
    ? [
        "meta:uploadSize",
        field(meta.upload.size),
        "meta:uploadExpiresAt",
        field(meta.upload.expiresAt),
        "meta:uploadMultipartId",
        field(meta.upload.multipartId),
      ]
    : []),
  ...(meta.parent != null ? ["meta:parent", meta.parent] : []),
  ...(meta.task != null ? ["meta:task", field(meta.task)] : []),
];

/** Only the fields that differ between two states (the version always differs), to keep commits small. */
export const encodeJobChanges = (before: Job, after: Job): string[] =>
  Object.entries(after).flatMap(([k, value]) =>
    field(value) === field(before[k as keyof Job]) ? [] : [k, field(value)],
  );

export type CorruptRecord = { readonly kind: "corrupt-record"; readonly message: string };

/** Parses HGETALL's flat reply; an empty reply is `null` (no such job). */
export const decodeJobRecord = (flat: unknown): Result<JobRecord | null, CorruptRecord> => {
  if (!Array.isArray(flat) || flat.length % 2 !== 0 || !flat.every((x) => typeof x === "string")) {
    return err({ kind: "corrupt-record", message: "a job hash reply must be a flat list of strings" });
  }
  if (flat.length === 0) return ok(null);
  const hash: Record<string, string> = {};
  for (let i = 0; i < flat.length; i += 2) hash[flat[i] as string] = flat[i + 1] as string;
  const parsed = v.safeParse(JobHashSchema, hash);
  if (!parsed.success) {
    const issue = parsed.issues[0];
    return err({
      kind: "corrupt-record",
      message: `job ${hash.jobId ?? "?"}: ${issue ? `${v.getDotPath(issue)}: ${issue.message}` : "invalid"}`,
    });
  }
  const {
    "meta:webhookUrl": webhookUrl,
    "meta:filename": filename,
    "meta:owner": owner,
    "meta:requestHash": requestHash,
    "meta:uploadSize": size,
    "meta:uploadExpiresAt": expiresAt,
    "meta:uploadMultipartId": multipartId,
    "meta:parent": parent,
    "meta:task": task,
    ...job
  } = parsed.output;
  const upload = size !== undefined && expiresAt !== undefined ? { size, expiresAt, multipartId } : undefined;
  return ok({
    job,
    meta: { webhookUrl, filename, owner, requestHash, parent, task, ...(upload ? { upload } : {}) },
  });
};
