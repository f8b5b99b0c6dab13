// tcoder download <id> [--dir <dir>]: every output of a completed job into <dir>/<jobId>/, keeping the paths the
// outputs have under the job (so a downloaded HLS master playlist still finds its variants and segments).
import { createWriteStream } from "node:fs";
import { mkdir } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { ReadableStream as NodeReadableStream } from "node:stream/web";
import { TcoderError } from "../sdk/index.ts";
import type { CliContext } from "./cli-context.ts";
import { failureLine } from "./print-job.ts";

const SAFE_SEGMENT = /^[A-Za-z0-9_][A-Za-z0-9._-]{0,127}$/;

/** The output's path below the job: what follows the job id (and the preset) in its URL's path. */
export const relativeOutputPath = (url: string, jobId: string, preset: string): string | null => {
  const segments = new URL(url).pathname.split("/").map(decodeURIComponent);
  const at = segments.indexOf(jobId);
  if (at < 0) return null;
  const rest = segments.slice(at + 1);
  if (rest[0] === preset && rest.length > 1) rest.shift();
  return rest.length > 0 && rest.every((s) => SAFE_SEGMENT.test(s)) ? rest.join("/") : null;
};

export const downloadCommand = async (ctx: CliContext, jobId: string, dir: string): Promise<number> => {
  const job = await ctx.client.get(jobId, { signal: ctx.signal });
  if (job.status !== "completed") {
    ctx.err(
      job.status === "failed" || job.status === "cancelled" ? failureLine(job) : `${jobId} is ${job.status}`,
    );
    return 1;
  }
  const root = resolve(dir, jobId);
  const written: { path: string; size: number }[] = [];
  for (const [index, output] of job.outputs.entries()) {
    const relative = relativeOutputPath(output.url, jobId, job.preset) ?? `output-${index + 1}`;
    const path = join(root, relative);
    const response = await fetch(output.url, { signal: ctx.signal });
    if (!response.ok || response.body === null) {
      throw new TcoderError(
        response.status,
        `http-${response.status}`,
        `GET ${relative} answered ${response.status}`,
      );
    }
    await mkdir(dirname(path), { recursive: true });
    await pipeline(
      Readable.fromWeb(response.body as NodeReadableStream<Uint8Array>),
      createWriteStream(path),
    );
    written.push({ path, size: output.size });
    if (!ctx.json) ctx.out(path);
  }
  if (ctx.json) ctx.out(JSON.stringify(written));
  return 0;
};
