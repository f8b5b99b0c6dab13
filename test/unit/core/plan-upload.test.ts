// How an upload is taken: part sizes stay within 10,000 parts.
import { describe, expect, it } from "vitest";
import { partLength, partSizeFor, planUpload } from "../../../core/plan-upload.ts";

describe("multipart part sizes", () => {
  it.each([
    [100 * 2 ** 20, 64 * 2 ** 20, 64 * 2 ** 20],
    [5 * 2 ** 40, 64 * 2 ** 20, 525 * 2 ** 20],
  ])("size %d with configured part %d → part %d", (size, configured, part) => {
    expect(partSizeFor(size, configured)).toBe(part);
    expect(Math.ceil(size / part)).toBeLessThanOrEqual(10_000);
  });
});

describe("planUpload", () => {
  const limits = { maxBytes: 10 * 2 ** 30, multipartThresholdBytes: 100 * 2 ** 20, partBytes: 64 * 2 ** 20 };
  it.each([
    [{ size: 5 }, { kind: "single", contentLength: 5 }],
    [{ size: 100 * 2 ** 20 }, { kind: "single", contentLength: 100 * 2 ** 20 }],
    [
      { size: 200 * 2 ** 20 },
      { kind: "multipart", size: 200 * 2 ** 20, partSize: 64 * 2 ** 20, partCount: 4 },
    ],
    [
      { size: 5, multipart: true },
      { kind: "multipart", size: 5, partSize: 64 * 2 ** 20, partCount: 1 },
    ],
  ])("%o → %o", (request, plan) => {
    expect(planUpload(request, limits)._unsafeUnwrap()).toEqual(plan);
  });

  it("refuses a declared size over the limit", () => {
    expect(planUpload({ size: 10 * 2 ** 30 + 1 }, limits)._unsafeUnwrapErr().kind).toBe("too-large");
  });
});

describe("partLength: the bytes each part URL is signed for", () => {
  const plan = { kind: "multipart", size: 11 * 2 ** 20, partSize: 5 * 2 ** 20, partCount: 3 } as const;
  it.each([
    [1, 5 * 2 ** 20],
    [2, 5 * 2 ** 20],
    [3, 2 ** 20],
    [0, null],
    [4, null],
    [1.5, null],
  ])("part %d → %s bytes", (partNumber, bytes) => {
    expect(partLength(plan, partNumber)).toBe(bytes);
  });

  it("a size that is a whole number of parts ends on a full part", () => {
    expect(partLength({ ...plan, size: 10 * 2 ** 20, partCount: 2 }, 2)).toBe(5 * 2 ** 20);
  });
});
