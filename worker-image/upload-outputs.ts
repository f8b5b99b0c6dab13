// Uploads a job's output files to the output bucket as streams, hashing each on the way: small files in one
// (retryable) PUT, large ones as multipart. Answers the JobOutput records the job completes with.
import { createHash } from "node:crypto";
import { err, ok, type Result } from "neverthrow";
import type { JobOutput } from "../core/job-output.ts";
import { outputKey } from "../core/output-keys.ts";
import type { PresetName } from "../core/preset-names.ts";
import type { ObjectStore } from "../shell/storage/object-store.ts";
import { collectEvery } from "./collect-garbage.ts";
import { type JobFailure, uploadFailed } from "./job-failure.ts";
import type { OutputFile } from "./list-output-files.ts";

/** Multipart part size: one part is held in memory at a time. Files up to this size go up in one PUT. */
export const PART_SIZE_BYTES = 5 * 1024 * 1024;
/** Uploads in flight: HLS leaves hundreds of small segments, and each PUT is a round trip. */
const CONCURRENCY = 4;

const sha256Hex = (bytes: Uint8Array): string => createHash("sha256").update(bytes).digest("hex");

/** Passes bytes through unchanged while hashing them; `digest()` once the stream has ended. */
export const hashingStream = () => {
  const hash = createHash("sha256");
  let hex: string | null = null;
  const stream = new TransformStream<Uint8Array, Uint8Array>({
    transform(chunk, controller) {
      hash.update(chunk);
      controller.enqueue(chunk);
    },
    flush() {
      hex = hash.digest("hex");
    },
  });
  return {
    stream,
    digest: (): string => {
      if (hex === null) throw new Error("digest() before the stream ended");
      return hex;
    },
  };
};

const uploadOne = async (
  store: ObjectStore,
  key: string,
  file: OutputFile,
): Promise<Result<JobOutput, JobFailure>> => {
  const { output } = file;
  const record = (size: number, sha256: string): JobOutput => ({
    type: output.type,
    key,
    ...(output.quality !== undefined ? { quality: output.quality } : {}),
    contentType: output.contentType,
    size,
    sha256,
  });
  if (file.size <= PART_SIZE_BYTES) {
    // Small enough to hold: a fixed body the store can send again after a transient failure.
    const bytes = await Bun.file(file.absolutePath).bytes();
    const put = await store.put(key, bytes, { contentType: output.contentType });
    return put.isOk() ? ok(record(bytes.byteLength, sha256Hex(bytes))) : err(uploadFailed(put.error.message));
  }
  const hashing = hashingStream();
  const body = Bun.file(file.absolutePath)
    .stream()
    .pipeThrough(hashing.stream)
    .pipeThrough(collectEvery(PART_SIZE_BYTES));
  const put = await store.putLarge(key, body, {
    contentType: output.contentType,
    partSizeBytes: PART_SIZE_BYTES,
  });
  if (put.isErr()) return err(uploadFailed(put.error.message));
  if (put.value.size !== file.size) {
    return err(uploadFailed(`${key}: stored ${put.value.size} bytes of ${file.size}`));
  }
  return ok(record(put.value.size, hashing.digest()));
};

const isPlaylist = (file: OutputFile): boolean =>
  file.output.type === "hls-playlist" || file.output.type === "hls-master";

/** Runs `items` through `upload` with a few in flight; stops starting new ones at the first failure. */
const uploadAll = async (
  items: readonly { file: OutputFile; key: string }[],
  upload: (item: { file: OutputFile; key: string }) => Promise<Result<JobOutput, JobFailure>>,
): Promise<Result<JobOutput[], JobFailure>> => {
  const results: JobOutput[] = new Array(items.length);
  const state: { next: number; failure: JobFailure | null } = { next: 0, failure: null };
  const lane = async () => {
    for (let index = state.next++; state.failure === null && index < items.length; index = state.next++) {
      const item = items[index];
      if (item === undefined) break;
      const uploaded = await upload(item);
      if (uploaded.isErr()) state.failure ??= uploaded.error;
      else results[index] = uploaded.value;
    }
  };
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, items.length) }, lane));
  return state.failure === null ? ok(results) : err(state.failure);
};

/**
 * Media files first (a few at a time), then playlists, so a reader who finds a playlist finds its segments.
 * Objects already stored when an upload fails are left: a retry of the job overwrites them.
 */
export const uploadOutputs = async (
  store: ObjectStore,
  jobId: string,
  preset: PresetName,
  files: readonly OutputFile[],
): Promise<Result<JobOutput[], JobFailure>> => {
  const keyed: { file: OutputFile; key: string }[] = [];
  for (const file of files) {
    const key = outputKey(jobId, preset, file.relativePath);
    if (key.isErr()) return err(uploadFailed(key.error.message));
    keyed.push({ file, key: key.value });
  }
  const upload = (item: { file: OutputFile; key: string }) => uploadOne(store, item.key, item.file);
  const media = await uploadAll(
    keyed.filter((k) => !isPlaylist(k.file)),
    upload,
  );
  if (media.isErr()) return err(media.error);
  const playlists: JobOutput[] = [];
  for (const item of keyed.filter((k) => isPlaylist(k.file))) {
    const uploaded = await upload(item);
    if (uploaded.isErr()) return err(uploaded.error);
    playlists.push(uploaded.value);
  }
  return ok([...media.value, ...playlists]);
};
