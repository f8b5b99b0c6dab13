// Which parts of a multipart upload a client still has to send (pure): the byte range of each part, and, given the
// parts storage already holds, those to keep and those to send. A stored part counts only at its exact size.
import { err, ok, type Result } from "neverthrow";

const MAX_PARTS = 10_000;

/** A multipart upload's shape as the API planned it: every part but the last is `partSize` bytes. */
export interface PartLayout {
  readonly size: number;
  readonly partSize: number;
  readonly partCount: number;
}

export interface StoredPartInfo {
  readonly partNumber: number;
  readonly size: number;
  readonly eTag: string;
}

export interface PartResumePlan {
  /** Parts to complete with as they are, ascending. */
  readonly kept: readonly StoredPartInfo[];
  /** Part numbers still to send, ascending. */
  readonly missing: readonly number[];
  readonly keptBytes: number;
}

/** The layout, refused unless its parts cover `size` exactly with at most 10,000 parts. */
export const checkPartLayout = (layout: PartLayout): Result<PartLayout, string> => {
  const { size, partSize, partCount } = layout;
  if (![size, partSize, partCount].every((n) => Number.isSafeInteger(n) && n > 0))
    return err(
      `size, partSize and partCount must be positive integers, got ${size}, ${partSize}, ${partCount}`,
    );
  if (partCount > MAX_PARTS) return err(`${partCount} parts is over the limit of ${MAX_PARTS}`);
  if (partCount !== Math.ceil(size / partSize))
    return err(`${partCount} parts of ${partSize} bytes do not cover ${size} bytes`);
  return ok(layout);
};

/** Bytes [start, end) of part `partNumber` (1-based). */
export const partRange = (
  layout: PartLayout,
  partNumber: number,
): { readonly start: number; readonly end: number } => {
  if (!Number.isInteger(partNumber) || partNumber < 1 || partNumber > layout.partCount)
    throw new RangeError(`part number must be 1..${layout.partCount}, got ${partNumber}`);
  const start = (partNumber - 1) * layout.partSize;
  return { start, end: Math.min(layout.size, start + layout.partSize) };
};

export const planPartResume = (layout: PartLayout, stored: readonly StoredPartInfo[]): PartResumePlan => {
  const usable = new Map<number, StoredPartInfo>();
  for (const part of stored) {
    if (part.partNumber < 1 || part.partNumber > layout.partCount) continue;
    const { start, end } = partRange(layout, part.partNumber);
    // A part of another size was cut short (or is from another layout): send it again.
    if (part.size === end - start) usable.set(part.partNumber, part);
  }
  const kept: StoredPartInfo[] = [];
  const missing: number[] = [];
  for (let n = 1; n <= layout.partCount; n++) {
    const part = usable.get(n);
    if (part) kept.push(part);
    else missing.push(n);
  }
  return { kept, missing, keptBytes: kept.reduce((sum, part) => sum + part.size, 0) };
};
