// createClient: the TCoder API for programs, over fetch only (browsers, Workers, Node, Bun). Every answer is checked
// against the API's own schemas; failures are TcoderError (the API's code and message) or TcoderNetworkError.
import type * as v from "valibot";
import { type JobRecord, JobRecordSchema } from "../core/job-record.ts";
import type { JobStatus } from "../core/job-status.ts";
import type { PresetName } from "../core/preset-names.ts";
import {
  type JobList,
  JobListSchema,
  type JobView,
  JobViewSchema,
  type Stats,
  StatsSchema,
} from "../shell/control-plane/http/api-schemas.ts";
import { apiCaller } from "./api-caller.ts";
import type { FetchLike } from "./send-request.ts";
import { type UploadOptions, type UploadResult, uploadFile } from "./upload-file.ts";
import type { UploadInput } from "./upload-source.ts";
import { type WaitOptions, waitForJob } from "./wait-for-job.ts";

export interface ClientOptions {
  /** The control plane, e.g. https://tcoder.example.workers.dev or http://localhost:8787. */
  readonly baseUrl: string;
  readonly apiKey: string;
  /** Default: the runtime's fetch. */
  readonly fetch?: FetchLike;
  /** Per API request (default 30 s); part uploads get time for their size. */
  readonly timeoutMs?: number;
  /** Transport retries of requests that are safe to repeat (default 4). */
  readonly retries?: number;
}

export interface Signalled {
  readonly signal?: AbortSignal;
}

export interface ListOptions extends Signalled {
  readonly status?: JobStatus;
  /** Jobs per page. */
  readonly limit?: number;
  readonly cursor?: string;
}

export interface TcoderClient {
  upload(input: UploadInput, options: UploadOptions): Promise<UploadResult>;
  createFromUrl(
    inputUrl: string,
    options: Signalled & {
      readonly preset: PresetName;
      readonly webhookUrl?: string;
      readonly idempotencyKey?: string;
    },
  ): Promise<JobView>;
  get(jobId: string, options?: Signalled): Promise<JobView>;
  /** One page of the key's jobs, newest first. */
  list(options?: ListOptions): Promise<JobList>;
  /** Every page from `cursor` (or the first) on. */
  listPages(options?: ListOptions): AsyncGenerator<JobList, void, undefined>;
  /** Resolves once the job is completed, failed or cancelled (check `status`). */
  wait(jobId: string, options?: WaitOptions): Promise<JobView>;
  cancel(jobId: string, options?: Signalled & { readonly reason?: string }): Promise<JobView>;
  /** A finished job's record: every FFmpeg run, the plan's decisions, output hashes and SSIM scores. */
  record(jobId: string, options?: Signalled): Promise<JobRecord>;
  stats(options?: Signalled): Promise<Stats>;
}

export const createClient = (options: ClientOptions): TcoderClient => {
  const fetch: FetchLike = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
  const retries = options.retries ?? 4;
  const api = apiCaller({
    baseUrl: options.baseUrl,
    apiKey: options.apiKey,
    fetch,
    timeoutMs: options.timeoutMs ?? 30_000,
    retries,
  });
  const jobPath = (jobId: string, rest = "") => `/api/jobs/${encodeURIComponent(jobId)}${rest}`;
  const get = <S extends v.GenericSchema>(path: string, schema: S, signal?: AbortSignal, query = {}) =>
    api.call({ method: "GET", path, query, schema, signal, idempotent: true });
  const list = (opts: ListOptions = {}) =>
    get("/api/jobs", JobListSchema, opts.signal, {
      status: opts.status,
      limit: opts.limit,
      cursor: opts.cursor,
    });

  return {
    upload: (input, uploadOptions) =>
      uploadFile({ api, fetch, retries, timeoutMs: options.timeoutMs ?? 30_000 }, input, uploadOptions),
    createFromUrl: (inputUrl, { preset, webhookUrl, idempotencyKey, signal }) =>
      api.call({
        method: "POST",
        path: "/api/jobs",
        headers: { "idempotency-key": idempotencyKey ?? crypto.randomUUID() },
        body: { inputUrl, preset, ...(webhookUrl ? { webhookUrl } : {}) },
        schema: JobViewSchema,
        signal,
        idempotent: true,
      }),
    get: (jobId, opts = {}) => get(jobPath(jobId), JobViewSchema, opts.signal),
    list,
    async *listPages(opts = {}) {
      let cursor = opts.cursor;
      do {
        const page = await list({ ...opts, ...(cursor === undefined ? {} : { cursor }) });
        yield page;
        cursor = page.nextCursor ?? undefined;
      } while (cursor !== undefined);
    },
    wait: (jobId, opts) => waitForJob(api, jobId, opts),
    cancel: (jobId, { reason, signal } = {}) =>
      api.call({
        method: "POST",
        path: jobPath(jobId, "/cancel"),
        body: reason ? { reason } : {},
        schema: JobViewSchema,
        signal,
        idempotent: false,
      }),
    record: (jobId, opts = {}) => get(jobPath(jobId, "/record"), JobRecordSchema, opts.signal),
    stats: (opts = {}) => get("/api/stats", StatsSchema, opts.signal),
  };
};
