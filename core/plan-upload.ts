// How a client's upload is taken (pure): refused when over the size limit, one presigned PUT of exactly the declared
// size, or a multipart upload whose parts are all one size but the last (R2 requires it) and number at most 10,000,
// each part URL signed for exactly its part's bytes: no more than the declared size can be uploaded.
import { err, ok, type Result } from "neverthrow";

const MIB = 1024 * 1024;
const MAX_PARTS = 10_000;

export interface UploadLimits {
  readonly maxBytes: number;
  /** Declared sizes above this get a multipart upload. */
  readonly multipartThresholdBytes: number;
  /** The configured part size; raised for very large files. */
  readonly partBytes: number;
}

export type UploadPlan =
  | { readonly kind: "single"; readonly contentLength: number }
  | {
      readonly kind: "multipart";
      readonly size: number;
      readonly partSize: number;
      readonly partCount: number;
    };

export type MultipartPlan = Extract<UploadPlan, { readonly kind: "multipart" }>;

export type UploadRefusal = { readonly kind: "too-large"; readonly message: string };

/** Every part but the last has this size: the configured one, raised (in whole MiB) to stay within 10,000 parts. */
export const partSizeFor = (size: number, configured: number): number =>
  Math.max(configured, Math.ceil(size / MAX_PARTS / MIB) * MIB);

export const planUpload = (
  request: { readonly size: number; readonly multipart?: boolean },
  limits: UploadLimits,
): Result<UploadPlan, UploadRefusal> => {
  const { size } = request;
  if (size > limits.maxBytes) {
    return err({ kind: "too-large", message: `uploads are limited to ${limits.maxBytes} bytes` });
  }
  const multipart = request.multipart === true || size > limits.multipartThresholdBytes;
  if (!multipart) return ok({ kind: "single", contentLength: size });
  const partSize = partSizeFor(size, limits.partBytes);
  return ok({ kind: "multipart", size, partSize, partCount: Math.max(1, Math.ceil(size / partSize)) });
};

/** The exact bytes of one part (signed into its URL); null for a part number outside the upload. */
export const partLength = (plan: MultipartPlan, partNumber: number): number | null => {
  if (!Number.isInteger(partNumber) || partNumber < 1 || partNumber > plan.partCount) return null;
  return partNumber < plan.partCount ? plan.partSize : plan.size - (plan.partCount - 1) * plan.partSize;
};
