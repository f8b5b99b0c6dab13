// Object keys for client uploads: a job's input lives at uploads/<jobId>/<safe filename>, whatever the client sent.
import { err, ok, type Result } from "neverthrow";

export const INPUT_PREFIX = "uploads/";
const MAX_BASENAME = 80;
const MAX_EXTENSION = 10;
const JOB_ID = /^[A-Za-z0-9_-]{8,64}$/;

/** `[A-Za-z0-9._-]` only: accents dropped, every other run of characters one dash, no leading/trailing dots or dashes. */
const clean = (text: string): string =>
  text
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "") // strip accents left by NFKD
    .replace(/[^A-Za-z0-9._-]+/g, "-")
    .replace(/-{2,}/g, "-")
    .replace(/\.{2,}/g, ".")
    .replace(/^[.-]+|[.-]+$/g, "");

/** Reduces a client filename to `[a-z0-9._-]`, no directories, no leading dots, bounded length, extension kept. */
export const safeFilename = (filename: string): string => {
  // Only the last path segment counts, whichever separator the client's OS uses.
  const last = filename.split(/[/\\]/).pop() ?? "";
  // The extension is split off before cleaning, so a name of only emoji or symbols ("🎬🎬.mp4") keeps it.
  const dot = last.lastIndexOf(".");
  const rawExt = dot > 0 ? clean(last.slice(dot + 1)) : "";
  const ext = rawExt.length > 0 && rawExt.length <= MAX_EXTENSION ? rawExt.toLowerCase() : "";
  const base =
    clean(ext ? last.slice(0, dot) : last)
      .slice(0, MAX_BASENAME)
      .replace(/[.-]+$/g, "") || "input";
  return ext ? `${base}.${ext}` : base;
};

export type InputKeyRejection = { readonly code: "invalid-job-id"; readonly message: string };

/** The object key a job's upload must land at. */
export const safeInputKey = (jobId: string, filename: string): Result<string, InputKeyRejection> =>
  JOB_ID.test(jobId)
    ? ok(`${INPUT_PREFIX}${jobId}/${safeFilename(filename)}`)
    : err({
        code: "invalid-job-id",
        message: `job id ${JSON.stringify(jobId)} is not 8–64 of [A-Za-z0-9_-]`,
      });

/** The job an input key belongs to, or null when the key is not an upload key we issued. */
export const jobIdFromInputKey = (key: string): string | null => {
  if (!key.startsWith(INPUT_PREFIX)) return null;
  const [jobId, name, ...rest] = key.slice(INPUT_PREFIX.length).split("/");
  if (rest.length > 0 || !jobId || !name || !JOB_ID.test(jobId)) return null;
  return jobId;
};
