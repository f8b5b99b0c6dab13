// Where `tcoder upload` keeps the resume state of a multipart upload: one small JSON file per local file, keyed by
// its absolute path, size and modification time (a changed file is a new upload), under TCODER_STATE_DIR, else
// $XDG_CACHE_HOME/tcoder/uploads, else ~/.cache/tcoder/uploads. Written before the first part is sent, removed once
// the upload is complete: a Ctrl-C or a kill in between leaves it for the next run.
import { createHash } from "node:crypto";
import { mkdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import { homedir } from "node:os";
import { join } from "node:path";
import { parseResumeState, type UploadResumeState } from "../sdk/index.ts";

export interface ResumeStore {
  /** The file's identity, given to the SDK as its resume key. */
  readonly fileKey: string;
  load(): Promise<UploadResumeState | null>;
  save(state: UploadResumeState): Promise<void>;
  clear(): Promise<void>;
}

export const stateDirectory = (env: NodeJS.ProcessEnv): string =>
  env.TCODER_STATE_DIR || join(env.XDG_CACHE_HOME || join(homedir(), ".cache"), "tcoder", "uploads");

export const resumeStore = (
  directory: string,
  file: { readonly path: string; readonly size: number; readonly mtimeMs: number },
): ResumeStore => {
  const fileKey = `${file.path}:${file.size}:${Math.trunc(file.mtimeMs)}`;
  const path = join(directory, `${createHash("sha256").update(fileKey).digest("hex").slice(0, 32)}.json`);
  return {
    fileKey,
    async load() {
      const text = await readFile(path, "utf8").catch(() => null);
      if (text === null) return null;
      try {
        return parseResumeState(JSON.parse(text));
      } catch {
        return null;
      }
    },
    async save(state) {
      await mkdir(directory, { recursive: true });
      // Whole or not at all: a kill mid-write must not leave half a state.
      const temporary = `${path}.${process.pid}.tmp`;
      await writeFile(temporary, JSON.stringify(state), { mode: 0o600 });
      await rename(temporary, path);
    },
    clear: () => rm(path, { force: true }),
  };
};
