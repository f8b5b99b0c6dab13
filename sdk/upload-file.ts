// client.upload: one presigned PUT for a small file; for a large one a multipart upload whose parts go straight to
// storage in parallel, that a caller can resume after a crash or a reload from a saved UploadResumeState: storage
// lists the parts it holds, and only the others are signed and sent.
import {
  checkPartLayout,
  type PartLayout,
  planPartResume,
  type StoredPartInfo,
} from "../core/plan-part-resume.ts";
import type { PresetName } from "../core/preset-names.ts";
import {
  CompleteUploadResponseSchema,
  JobViewSchema,
  StoredPartsResponseSchema,
  UploadResponseSchema,
} from "../shell/control-plane/http/api-schemas.ts";
import type { ApiCaller } from "./api-caller.ts";
import { sendParts } from "./send-parts.ts";
import { exchange, type FetchLike, withRetries } from "./send-request.ts";
import { TcoderError, TcoderNetworkError } from "./tcoder-error.ts";
import { fileKeyOf, type UploadResumeState } from "./upload-resume-state.ts";
import { toUploadSource, type UploadInput, type UploadSource } from "./upload-source.ts";

export interface UploadProgress {
  /** Bytes storage holds: parts stored before a resume count too. */
  readonly uploadedBytes: number;
  readonly totalBytes: number;
  /** Bytes this call has sent. */
  readonly sentBytes: number;
  readonly partsDone: number;
  /** 1 for a single PUT. */
  readonly partCount: number;
}

export type ResumeReport =
  | {
      readonly kind: "resumed";
      readonly storedParts: number;
      readonly partCount: number;
      readonly storedBytes: number;
    }
  /** The upload had already been completed: nothing is sent. */
  | { readonly kind: "already-uploaded"; readonly jobId: string }
  /** The saved state could not be used; a new upload starts. */
  | { readonly kind: "discarded"; readonly reason: string };

export interface UploadOptions {
  readonly preset: PresetName;
  /** Default: the File's name (required for a Blob or a stream without one). */
  readonly filename?: string;
  readonly contentType?: string;
  readonly webhookUrl?: string;
  /** Makes the creation safe to repeat; one is generated when absent. */
  readonly idempotencyKey?: string;
  readonly signal?: AbortSignal;
  readonly onProgress?: (progress: UploadProgress) => void;
  /** A state saved from an interrupted upload of this file: only the parts storage lacks are sent. */
  readonly resume?: UploadResumeState;
  /** Called as soon as a multipart upload exists: keep the state to resume after a crash or a reload. */
  readonly onResumeState?: (state: UploadResumeState) => void | Promise<void>;
  /** How the saved state was used. */
  readonly onResume?: (report: ResumeReport) => void;
  /** Identifies the file in the resume state (default name:size:lastModified). */
  readonly resumeKey?: string;
  /** Parts in flight at once (default 4). */
  readonly concurrency?: number;
}

export interface UploadResult {
  readonly jobId: string;
  readonly multipart: boolean;
  readonly partCount: number;
  /** Parts storage already held (a resume). */
  readonly resumedParts: number;
  /** Bytes this call sent to storage. */
  readonly sentBytes: number;
}

export interface UploadDeps {
  readonly api: ApiCaller;
  readonly fetch: FetchLike;
  readonly retries: number;
  readonly timeoutMs: number;
}

export const uploadFile = async (
  deps: UploadDeps,
  input: UploadInput,
  options: UploadOptions,
): Promise<UploadResult> => {
  const source = toUploadSource(input);
  const filename = options.filename ?? source.name;
  if (!filename) throw new TypeError("upload: pass options.filename for a Blob or stream without a name");
  if (source.size === 0) throw new RangeError("upload: the file is empty");
  const fileKey = fileKeyOf(source, filename, options.resumeKey);

  if (options.resume) {
    const resumed = await resumeUpload(deps, source, options.resume, fileKey, options);
    if (resumed.kind === "done") return resumed.result;
    options.onResume?.({ kind: "discarded", reason: resumed.reason });
  }

  const created = await deps.api.call({
    method: "POST",
    path: "/api/upload",
    headers: { "idempotency-key": options.idempotencyKey ?? crypto.randomUUID() },
    body: {
      filename,
      preset: options.preset,
      size: source.size,
      ...((options.contentType ?? source.type) ? { contentType: options.contentType ?? source.type } : {}),
      ...(options.webhookUrl ? { webhookUrl: options.webhookUrl } : {}),
      // A stream is read once: parts bound the memory it takes, whatever its size.
      ...(source.sequential ? { multipart: true } : {}),
    },
    schema: UploadResponseSchema,
    signal: options.signal,
    idempotent: true,
  });

  if (created.uploadUrl !== undefined) {
    const url = created.uploadUrl;
    const body = await source.read(0, source.size);
    // fetch sets Content-Length from the body; browsers refuse to let a page set it.
    const headers = Object.fromEntries(
      Object.entries(created.uploadHeaders ?? {}).filter(([name]) => name.toLowerCase() !== "content-length"),
    );
    report(options, { uploadedBytes: 0, totalBytes: source.size, sentBytes: 0, partsDone: 0, partCount: 1 });
    await withRetries(
      async () => {
        const response = await exchange(
          deps.fetch,
          url,
          { method: "PUT", headers, body },
          {
            signal: options.signal,
            timeoutMs: 60_000 + Math.ceil(source.size / (256 * 1024)) * 1000,
          },
        );
        await response.body?.cancel();
      },
      { retries: deps.retries, signal: options.signal },
    );
    report(options, {
      uploadedBytes: source.size,
      totalBytes: source.size,
      sentBytes: source.size,
      partsDone: 1,
      partCount: 1,
    });
    return { jobId: created.jobId, multipart: false, partCount: 1, resumedParts: 0, sentBytes: source.size };
  }

  const multipart = created.multipart;
  if (multipart === undefined)
    throw new TcoderError(200, "invalid-response", "the upload has neither a URL nor parts");
  const layout = checkLayout({
    size: source.size,
    partSize: multipart.partSize,
    partCount: multipart.partCount,
  });
  const state: UploadResumeState = {
    version: 1,
    baseUrl: deps.api.baseUrl,
    jobId: created.jobId,
    uploadId: multipart.uploadId,
    preset: options.preset,
    size: source.size,
    partSize: layout.partSize,
    partCount: layout.partCount,
    fileKey,
  };
  await options.onResumeState?.(state);
  const urls = new Map(multipart.parts.map((part) => [part.partNumber, part.url]));
  return finishMultipart(deps, source, state, layout, [], urls, options);
};

type Resumed =
  | { readonly kind: "done"; readonly result: UploadResult }
  | { readonly kind: "fresh"; readonly reason: string };

const resumeUpload = async (
  deps: UploadDeps,
  source: UploadSource,
  state: UploadResumeState,
  fileKey: string,
  options: UploadOptions,
): Promise<Resumed> => {
  if (state.baseUrl !== deps.api.baseUrl)
    return { kind: "fresh", reason: `it was made with ${state.baseUrl}` };
  if (state.fileKey !== fileKey || state.size !== source.size)
    return { kind: "fresh", reason: "it belongs to another file (or the file changed)" };
  const layout = checkLayout(state);
  const gone = (error: unknown) =>
    error instanceof TcoderError && (error.status === 404 || error.status === 409);
  const path = `/api/upload/${encodeURIComponent(state.jobId)}`;
  try {
    const job = await deps.api.call({
      method: "GET",
      path: `/api/jobs/${encodeURIComponent(state.jobId)}`,
      schema: JobViewSchema,
      signal: options.signal,
      idempotent: true,
    });
    if (job.status !== "uploading") {
      if (job.status === "failed" || job.status === "cancelled")
        return { kind: "fresh", reason: `job ${job.jobId} is ${job.status}` };
      // queued or later: the earlier run completed the upload before it stopped.
      options.onResume?.({ kind: "already-uploaded", jobId: job.jobId });
      const result = {
        jobId: job.jobId,
        multipart: true,
        partCount: state.partCount,
        resumedParts: state.partCount,
        sentBytes: 0,
      };
      return { kind: "done", result };
    }
    const stored = await deps.api.call({
      method: "GET",
      path: `${path}/parts`,
      query: { uploadId: state.uploadId },
      schema: StoredPartsResponseSchema,
      signal: options.signal,
      idempotent: true,
    });
    const plan = planPartResume(layout, stored.parts);
    options.onResume?.({
      kind: "resumed",
      storedParts: plan.kept.length,
      partCount: layout.partCount,
      storedBytes: plan.keptBytes,
    });
    await options.onResumeState?.(state);
    return {
      kind: "done",
      result: await finishMultipart(deps, source, state, layout, plan.kept, new Map(), options),
    };
  } catch (error) {
    if (gone(error)) return { kind: "fresh", reason: (error as TcoderError).message };
    throw error;
  }
};

const finishMultipart = async (
  deps: UploadDeps,
  source: UploadSource,
  state: UploadResumeState,
  layout: PartLayout,
  kept: readonly StoredPartInfo[],
  urls: ReadonlyMap<number, string>,
  options: UploadOptions,
): Promise<UploadResult> => {
  const keptNumbers = new Set(kept.map((part) => part.partNumber));
  const missing = Array.from({ length: layout.partCount }, (_, i) => i + 1).filter(
    (n) => !keptNumbers.has(n),
  );
  let uploadedBytes = kept.reduce((sum, part) => sum + part.size, 0);
  let sentBytes = 0;
  let partsDone = kept.length;
  const progress = () =>
    report(options, {
      uploadedBytes,
      totalBytes: layout.size,
      sentBytes,
      partsDone,
      partCount: layout.partCount,
    });
  progress();
  const sent = await sendParts(
    { jobId: state.jobId, uploadId: state.uploadId, layout, missing, urls },
    {
      api: deps.api,
      fetch: deps.fetch,
      source,
      concurrency: options.concurrency ?? 4,
      retries: deps.retries,
      signal: options.signal,
      onPart: (_partNumber, bytes) => {
        uploadedBytes += bytes;
        sentBytes += bytes;
        partsDone += 1;
        progress();
      },
    },
  );
  const parts = [...kept, ...sent]
    .sort((a, b) => a.partNumber - b.partNumber)
    .map(({ partNumber, eTag }) => ({ partNumber, eTag }));
  await complete(deps, state, parts, options.signal);
  return {
    jobId: state.jobId,
    multipart: true,
    partCount: layout.partCount,
    resumedParts: kept.length,
    sentBytes,
  };
};

/**
 * Completing is not safe to repeat blindly (storage forgets the upload once it is assembled), so after a lost answer
 * the job says whether it went through: past `uploading`, it did.
 */
const complete = async (
  deps: UploadDeps,
  state: UploadResumeState,
  parts: readonly { readonly partNumber: number; readonly eTag: string }[],
  signal: AbortSignal | undefined,
): Promise<void> => {
  const send = () =>
    deps.api.call({
      method: "POST",
      path: `/api/upload/${encodeURIComponent(state.jobId)}/complete`,
      body: { uploadId: state.uploadId, parts },
      schema: CompleteUploadResponseSchema,
      signal,
      idempotent: false,
    });
  try {
    await send();
  } catch (error) {
    const unsure =
      error instanceof TcoderNetworkError || (error instanceof TcoderError && error.status >= 500);
    if (!unsure) throw error;
    const job = await deps.api.call({
      method: "GET",
      path: `/api/jobs/${encodeURIComponent(state.jobId)}`,
      schema: JobViewSchema,
      signal,
      idempotent: true,
    });
    // Assembled: the storage event moved the job on (whatever became of it since).
    if (job.status !== "uploading") return;
    await send();
  }
};

const checkLayout = (layout: PartLayout): PartLayout => {
  const checked = checkPartLayout(layout);
  if (checked.isErr()) throw new TcoderError(200, "invalid-response", `the upload's parts: ${checked.error}`);
  return checked.value;
};

const report = (options: UploadOptions, progress: UploadProgress) => options.onProgress?.(progress);
