// How an upload is taken: part sizes stay within 10,000 parts.
import { describe, expect, it } from "vitest";
import { partSizeFor, planUpload } from "../../../core/plan-upload.ts";

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
    [{}, { kind: "single" }],
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

  it.each([
    [{ size: 10 * 2 ** 30 + 1 }, "too-large"],
    [{ multipart: true }, "size-required"],
  ])("%o is refused: %s", (request, kind) => {
    expect(planUpload(request, limits)._unsafeUnwrapErr().kind).toBe(kind);
  });
});
