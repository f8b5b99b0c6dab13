// Where a job's outputs go in the output bucket: outputs/<jobId>/<preset>/<relative path from the FFmpeg plan>, and
// its record at outputs/<jobId>/record.json.
import { err, ok, type Result } from "neverthrow";
import type { PresetName } from "./preset-names.ts";

export const OUTPUT_PREFIX = "outputs/";

export type OutputKeyRejection = { readonly code: "unsafe-output-path"; readonly message: string };

/** Common prefix of everything written for a job: its outputs and its record. */
export const jobOutputsPrefix = (jobId: string): string => `${OUTPUT_PREFIX}${jobId}/`;

/** Common prefix of every object a job's preset writes. */
export const outputPrefix = (jobId: string, preset: PresetName): string =>
  `${OUTPUT_PREFIX}${jobId}/${preset}/`;

const SAFE_SEGMENT = /^[A-Za-z0-9_][A-Za-z0-9._-]{0,127}$/;

/** Key for one output file, refusing anything that could climb out of the job's prefix. */
export const outputKey = (
  jobId: string,
  preset: PresetName,
  relativePath: string,
): Result<string, OutputKeyRejection> => {
  const segments = relativePath.split("/");
  const unsafe = segments.find((s) => !SAFE_SEGMENT.test(s) || s === "." || s === "..");
  if (unsafe !== undefined || segments.length > 4) {
    return err({
      code: "unsafe-output-path",
      message: `output path ${JSON.stringify(relativePath)} is not allowed`,
    });
  }
  return ok(`${outputPrefix(jobId, preset)}${relativePath}`);
};

/** The job's reproducible record (core/job-record.ts), beside its outputs. */
export const recordKey = (jobId: string): string => `${OUTPUT_PREFIX}${jobId}/record.json`;
