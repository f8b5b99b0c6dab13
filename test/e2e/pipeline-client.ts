// The e2e tests' client: exactly what a user's program does with the API (fetch + presigned PUT + polling), with
// every reply checked against the API's own schemas.
import { readFile, writeFile } from "node:fs/promises";
import { basename } from "node:path";
import * as v from "valibot";
import { type JobRecord, JobRecordSchema } from "../../core/job-record.ts";
import { isTerminalStatus } from "../../core/job-status.ts";
import type { PresetName } from "../../core/preset-names.ts";
import {
  type JobView,
  JobViewSchema,
  UploadResponseSchema,
} from "../../shell/control-plane/http/api-schemas.ts";

export type { JobView } from "../../shell/control-plane/http/api-schemas.ts";

export interface UploadedJob {
  readonly jobId: string;
  /** When the presigned PUT answered 200 (ms epoch): the upload is done. */
  readonly uploadedAt: number;
}

export interface PipelineClient {
  upload(path: string, preset: PresetName, filename?: string): Promise<UploadedJob>;
  job(jobId: string): Promise<JobView>;
  /** GET /api/jobs/:id/record, validated against the record's schema. */
  record(jobId: string): Promise<JobRecord>;
  /** Polls until the job is terminal (or `done` accepts it); throws with the last view after `timeoutMs`. */
  waitFor(jobId: string, options?: WaitOptions): Promise<JobView>;
  /** GETs an output URL to a file; answers the bytes written. */
  download(url: string, path: string): Promise<number>;
}

export interface WaitOptions {
  readonly timeoutMs?: number;
  readonly pollMs?: number;
  readonly done?: (job: JobView) => boolean;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const parsed = async <S extends v.GenericSchema>(
  schema: S,
  response: Response,
): Promise<v.InferOutput<S>> => {
  const text = await response.text();
  if (!response.ok) throw new Error(`HTTP ${response.status} from ${response.url}: ${text}`);
  return v.parse(schema, JSON.parse(text));
};

export const pipelineClient = (apiUrl: string, apiKey: string): PipelineClient => {
  const auth = { authorization: `Bearer ${apiKey}` };
  const job = async (jobId: string) =>
    parsed(JobViewSchema, await fetch(`${apiUrl}/api/jobs/${jobId}`, { headers: auth }));
  return {
    record: async (jobId) =>
      parsed(JobRecordSchema, await fetch(`${apiUrl}/api/jobs/${jobId}/record`, { headers: auth })),
    async upload(path, preset, filename = basename(path)) {
      const bytes = await readFile(path);
      const created = await parsed(
        UploadResponseSchema,
        await fetch(`${apiUrl}/api/upload`, {
          method: "POST",
          headers: { ...auth, "content-type": "application/json" },
          body: JSON.stringify({ filename, preset, size: bytes.byteLength }),
        }),
      );
      if (created.uploadUrl === undefined) throw new Error("expected a single presigned PUT");
      const put = await fetch(created.uploadUrl, {
        method: "PUT",
        headers: created.uploadHeaders ?? {},
        body: bytes,
      });
      if (put.status !== 200) throw new Error(`presigned PUT answered ${put.status}: ${await put.text()}`);
      await put.arrayBuffer();
      return { jobId: created.jobId, uploadedAt: Date.now() };
    },
    job,
    async waitFor(jobId, { timeoutMs = 120_000, pollMs = 250, done } = {}) {
      const deadline = Date.now() + timeoutMs;
      let last: JobView | null = null;
      while (Date.now() < deadline) {
        last = await job(jobId);
        if (done ? done(last) : isTerminalStatus(last.status)) return last;
        await sleep(pollMs);
      }
      throw new Error(`job ${jobId} did not finish in ${timeoutMs} ms; last seen: ${JSON.stringify(last)}`);
    },
    async download(url, path) {
      const response = await fetch(url);
      if (!response.ok) throw new Error(`GET ${url} answered ${response.status}`);
      const bytes = Buffer.from(await response.arrayBuffer());
      await writeFile(path, bytes);
      return bytes.length;
    },
  };
};
