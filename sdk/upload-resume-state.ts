// What a caller keeps to resume an interrupted multipart upload (a file beside the CLI, localStorage in a browser):
// small, JSON-serialisable, checked with valibot when read back.
import * as v from "valibot";
import { PresetNameSchema } from "../core/preset-names.ts";
import type { UploadSource } from "./upload-source.ts";

export const UploadResumeStateSchema = v.object({
  version: v.literal(1),
  /** The API it was made with: a state is never used against another. */
  baseUrl: v.string(),
  jobId: v.string(),
  uploadId: v.string(),
  preset: PresetNameSchema,
  size: v.pipe(v.number(), v.integer(), v.minValue(1)),
  partSize: v.pipe(v.number(), v.integer(), v.minValue(1)),
  partCount: v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(10_000)),
  /** Which file it belongs to: the caller's resume key, or name:size:lastModified. */
  fileKey: v.string(),
});
export type UploadResumeState = v.InferOutput<typeof UploadResumeStateSchema>;

/** The state read back from storage, or null when it is not one (corrupt, or from another version). */
export const parseResumeState = (value: unknown): UploadResumeState | null => {
  const parsed = v.safeParse(UploadResumeStateSchema, value);
  return parsed.success ? parsed.output : null;
};

export const fileKeyOf = (source: UploadSource, name: string, resumeKey: string | undefined): string =>
  resumeKey ?? `${name}:${source.size}:${source.lastModified ?? ""}`;
