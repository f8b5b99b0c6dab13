// Where a pool job's input is read from: a large one in place, through a presigned GET that ffmpeg reads with
// range requests (Fly's root filesystem writes a few MiB/s, so staging 1 GiB there costs minutes and the disk), a
// small one downloaded to the job's directory (one fast stream, and the many reads of probe, encode, poster and
// quality check stay local).
import type { Result } from "neverthrow";
import type { ObjectStore } from "../shell/storage/object-store.ts";
import { downloadObject } from "./download-input.ts";
import type { JobFailure } from "./job-failure.ts";

/** R2's longest presigned URL. */
const MAX_URL_SECONDS = 7 * 24 * 3600;

export interface StagedInput {
  /** A local path or a presigned URL: what ffprobe and ffmpeg are given. */
  readonly inputPath: string;
  readonly inputBytes: number;
  readonly streamed: boolean;
}

export const stageInput = async (
  store: ObjectStore,
  key: string,
  localPath: string,
  options: {
    /** Inputs of at least this size are read in place. */
    readonly streamMinBytes: number;
    /** How long the URL must work: the job's longest possible run. */
    readonly urlSeconds: number;
    readonly signal: AbortSignal;
  },
): Promise<Result<StagedInput, JobFailure>> => {
  const head = await store.head(key);
  if (head.isOk() && head.value.size >= options.streamMinBytes) {
    const expiresInSeconds = Math.min(MAX_URL_SECONDS, Math.max(60, Math.ceil(options.urlSeconds)));
    const signed = await store.presignGet(key, { expiresInSeconds });
    return signed.map((url) => ({ inputPath: url.url, inputBytes: head.value.size, streamed: true }));
  }
  // A failed HEAD is left to the download, which reports the reason.
  const downloaded = await downloadObject(store, key, localPath, options.signal);
  return downloaded.map((bytes) => ({ inputPath: localPath, inputBytes: bytes, streamed: false }));
};
