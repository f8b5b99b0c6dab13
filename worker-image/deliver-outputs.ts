// Single-job mode's delivery: outputs copied to a local OUTPUT_URL path, or PUT to a presigned OUTPUT_URL (one
// file as is; an HLS package as one ustar archive). Each delivered file is hashed as it streams.
import { mkdir } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { err, ok, type Result } from "neverthrow";
import pRetry, { AbortError } from "p-retry";
import type { JobOutput } from "../core/job-output.ts";
import { type JobFailure, outputMismatch, uploadFailed } from "./job-failure.ts";
import type { OutputFile } from "./list-output-files.ts";
import { hashingStream } from "./upload-outputs.ts";
import { ustarSize, ustarStream } from "./ustar-stream.ts";

export const TAR_CONTENT_TYPE = "application/x-tar";

/** In single-job mode an output's key is its path inside the job's package ("720p/seg_000.ts"). */
const record = (file: OutputFile, sha256: string): JobOutput => ({
  type: file.output.type,
  key: file.relativePath,
  ...(file.output.quality !== undefined ? { quality: file.output.quality } : {}),
  contentType: file.output.contentType,
  size: file.size,
  sha256,
});

const extensionOf = (name: string): string | null =>
  /\.([A-Za-z0-9]+)$/.exec(name)?.[1]?.toLowerCase() ?? null;

const isMain = (file: OutputFile): boolean =>
  file.output.type === "video" || file.output.type === "hls-master";

/**
 * Where each output goes for OUTPUT_URL=<path>: the video (or HLS master) at the path itself, the poster beside
 * it as "<name>.poster.jpg", everything else (variant playlists, segments) at its relative path in that directory.
 */
export const localDestination = (file: OutputFile, outputPath: string): string => {
  if (isMain(file)) return outputPath;
  if (file.output.type === "poster") return `${outputPath.replace(/\.[^./]*$/, "")}.poster.jpg`;
  return join(dirname(outputPath), file.relativePath);
};

export const deliverToPath = async (
  files: readonly OutputFile[],
  outputPath: string,
): Promise<Result<JobOutput[], JobFailure>> => {
  const main = files.find(isMain);
  const wanted = extensionOf(outputPath);
  if (main !== undefined && wanted !== null && wanted !== extensionOf(main.relativePath)) {
    return err(
      outputMismatch(`the job produced ${main.relativePath} but OUTPUT_URL names ${basename(outputPath)}`),
    );
  }
  const delivered: JobOutput[] = [];
  for (const file of files) {
    const target = localDestination(file, outputPath);
    const hashing = hashingStream();
    try {
      await mkdir(dirname(target), { recursive: true });
      await Bun.write(target, new Response(Bun.file(file.absolutePath).stream().pipeThrough(hashing.stream)));
    } catch (error) {
      return err(uploadFailed(`cannot write ${target}: ${(error as Error).message}`));
    }
    delivered.push(record(file, hashing.digest()));
  }
  return ok(delivered);
};

/** Opens a file as a stream that hashes what it yields; the digest of the latest opening is kept. */
const hashedOpener = (path: string) => {
  let latest: ReturnType<typeof hashingStream> | null = null;
  return {
    open: (): ReadableStream<Uint8Array> => {
      latest = hashingStream();
      return Bun.file(path).stream().pipeThrough(latest.stream);
    },
    digest: (): string => {
      if (latest === null) throw new Error(`${path} was never read`);
      return latest.digest();
    },
  };
};

class StatusError extends Error {}

/** One PUT of a stream of known length; repeated (with a fresh stream) on network errors, 429 and 5xx. */
export const putStream = async (
  url: string,
  contentType: string,
  size: number,
  open: () => ReadableStream<Uint8Array>,
): Promise<Result<void, JobFailure>> => {
  const shown = url.split("?")[0] ?? url;
  // Generous for the size (1 MiB/s at worst), never unbounded.
  const timeoutMs = 60_000 + Math.ceil(size / 1024);
  const attempt = async () => {
    const response = await fetch(url, {
      method: "PUT",
      headers: { "content-type": contentType, "content-length": String(size) },
      body: open(),
      duplex: "half",
      signal: AbortSignal.timeout(timeoutMs),
    } as RequestInit);
    const text = await response.text().catch(() => "");
    if (response.ok) return;
    const error = new StatusError(`HTTP ${response.status} ${text.slice(0, 200)}`.trim());
    throw response.status === 429 || response.status >= 500 ? error : new AbortError(error);
  };
  try {
    await pRetry(attempt, { retries: 3, minTimeout: 500, maxTimeout: 4_000 });
    return ok(undefined);
  } catch (error) {
    return err(uploadFailed(`PUT ${shown}: ${(error as Error).message}`));
  }
};

/** The object name an OUTPUT_URL points at: the last segment of its path ("…/outputs/j1/hls/package.tar"). */
export const urlObjectName = (url: string): string => {
  const last = new URL(url).pathname.split("/").pop() ?? "";
  return decodeURIComponent(last);
};

/**
 * A single-file preset PUTs its video (the poster has no URL to go to); HLS PUTs one ustar archive of the whole
 * package (master, variants, segments, poster) as application/x-tar. The URL's content type is signed, so what is
 * sent must be what the URL names: a WebM from stream copy is refused for a ".mp4" URL rather than mislabelled.
 *
 * Reported outputs are the objects stored, keyed by the URL's object name: the video, or the archive itself (typed
 * "hls-master": it holds the master playlist and everything it refers to).
 */
export const deliverToUrl = async (
  files: readonly OutputFile[],
  url: string,
  mtimeSeconds: number,
): Promise<Result<JobOutput[], JobFailure>> => {
  const main = files.find(isMain);
  if (main === undefined) throw new Error("no main output to deliver");
  const name = urlObjectName(url);
  const sending = main.output.type === "video" ? main.relativePath : "package.tar";
  const wanted = extensionOf(name);
  if (wanted !== null && wanted !== extensionOf(sending)) {
    return err(outputMismatch(`the job produced ${sending} but OUTPUT_URL names ${name}`));
  }
  const key = name === "" ? sending : name;
  if (main.output.type === "video") {
    const file = hashedOpener(main.absolutePath);
    const put = await putStream(url, main.output.contentType, main.size, file.open);
    return put.isErr() ? err(put.error) : ok([{ ...record(main, file.digest()), key }]);
  }
  const entries = files.map((file) => ({
    name: file.relativePath,
    size: file.size,
    open: () => Bun.file(file.absolutePath).stream(),
  }));
  const size = ustarSize(entries);
  let hashing = hashingStream();
  const put = await putStream(url, TAR_CONTENT_TYPE, size, () => {
    hashing = hashingStream();
    return ustarStream(entries, mtimeSeconds).pipeThrough(hashing.stream);
  });
  if (put.isErr()) return err(put.error);
  return ok([{ type: "hls-master", key, contentType: TAR_CONTENT_TYPE, size, sha256: hashing.digest() }]);
};
