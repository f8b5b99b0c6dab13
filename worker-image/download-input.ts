// Streams a job's input to local disk, from the input bucket or a presigned URL, never holding it in memory.
import { createWriteStream } from "node:fs";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { ReadableStream as NodeReadableStream } from "node:stream/web";
import { err, ok, type Result } from "neverthrow";
import pRetry, { AbortError } from "p-retry";
import { idleDeadline, withReadDeadline } from "../shell/storage/idle-deadline.ts";
import type { ObjectStore } from "../shell/storage/object-store.ts";
import { collectEvery, collectNow } from "./collect-garbage.ts";
import { inputUnavailable, type JobFailure } from "./job-failure.ts";

/** A download may take as long as it needs, but not stall: no bytes for this long aborts it. */
export const DOWNLOAD_IDLE_MS = 60_000;

const COLLECT_EVERY_BYTES = 16 * 1024 * 1024;

/** "uploads/<job>/My clip.MOV" → "input-My-clip.MOV": keeps the extension (some demuxers go by it). */
export const localInputName = (keyOrUrlPath: string): string => {
  const base = decodeURIComponent(keyOrUrlPath.split("?")[0]?.split("/").pop() ?? "");
  const safe = base
    .replace(/[^A-Za-z0-9._-]+/g, "-")
    .replace(/^[.-]+/, "")
    .slice(-80);
  return safe === "" ? "input" : `input-${safe}`;
};

const toFile = async (
  body: ReadableStream<Uint8Array>,
  path: string,
  signal: AbortSignal,
): Promise<Result<number, string>> => {
  const file = createWriteStream(path);
  const collected = body.pipeThrough(collectEvery(COLLECT_EVERY_BYTES));
  try {
    await pipeline(Readable.fromWeb(collected as NodeReadableStream<Uint8Array>), file, { signal });
    collectNow();
    return ok(file.bytesWritten);
  } catch (error) {
    return err(error instanceof Error ? error.message : String(error));
  }
};

export const downloadObject = async (
  store: ObjectStore,
  key: string,
  path: string,
  signal: AbortSignal,
): Promise<Result<number, JobFailure>> => {
  const opened = await store.getStream(key);
  if (opened.isErr()) {
    const { kind, message } = opened.error;
    // Missing or forbidden stays so; an outage or a bad reply may pass.
    return err(inputUnavailable(message, kind !== "not-found" && kind !== "access-denied"));
  }
  const written = await toFile(opened.value.body, path, signal);
  if (written.isErr()) return err(inputUnavailable(`${key}: ${written.error}`, true));
  if (written.value !== opened.value.size) {
    return err(inputUnavailable(`${key}: got ${written.value} of ${opened.value.size} bytes`, true));
  }
  return ok(written.value);
};

class HttpStatusError extends Error {
  constructor(readonly status: number) {
    super(`HTTP ${status}`);
  }
}

/** GET with retries until the headers arrive (network errors, 429, 5xx); the body then streams to disk. */
export const downloadUrl = async (
  url: string,
  path: string,
  signal: AbortSignal,
): Promise<Result<number, JobFailure>> => {
  const shown = url.split("?")[0] ?? url;
  const open = async () => {
    // A fresh deadline per attempt: a fired one stays aborted.
    const deadline = idleDeadline(DOWNLOAD_IDLE_MS);
    deadline.arm();
    try {
      const response = await fetch(url, { signal: AbortSignal.any([signal, deadline.signal]) });
      if (response.ok && response.body !== null) return { response, body: response.body, deadline };
      await response.body?.cancel();
      const error = new HttpStatusError(response.status);
      throw response.status === 429 || response.status >= 500 ? error : new AbortError(error);
    } finally {
      deadline.disarm();
    }
  };
  let opened: Awaited<ReturnType<typeof open>>;
  try {
    opened = await pRetry(open, { retries: 3, minTimeout: 500, maxTimeout: 4_000, signal });
  } catch (error) {
    const retryable = !(error instanceof HttpStatusError && error.status < 500 && error.status !== 429);
    return err(inputUnavailable(`GET ${shown}: ${(error as Error).message}`, retryable));
  }
  const { response, deadline } = opened;
  const body = withReadDeadline(opened.body, deadline);
  const written = await toFile(body, path, signal);
  if (written.isErr()) return err(inputUnavailable(`GET ${shown}: ${written.error}`, true));
  const declared = Number(response.headers.get("content-length") ?? Number.NaN);
  if (Number.isFinite(declared) && declared !== written.value) {
    return err(inputUnavailable(`GET ${shown}: got ${written.value} of ${declared} bytes`, true));
  }
  return ok(written.value);
};
