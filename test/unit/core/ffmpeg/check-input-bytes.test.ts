// checkInputBytes: an empty upload says it is empty, before ffprobe is asked anything.
import { describe, expect, it } from "vitest";
import { checkInputBytes } from "../../../../core/ffmpeg/check-input-bytes.ts";

describe("checkInputBytes", () => {
  const limits = { maxInputBytes: 1024 ** 3 };

  it("0 bytes → empty-input", () => {
    expect(checkInputBytes(0, limits)._unsafeUnwrapErr()).toEqual({
      code: "empty-input",
      message: "the uploaded file is empty (0 bytes)",
    });
  });

  it("over the limit → too-large", () => {
    expect(checkInputBytes(1024 ** 3 + 1, limits)._unsafeUnwrapErr()).toEqual({
      code: "too-large",
      message: "the input is 1.00 GiB; the limit is 1.00 GiB",
    });
  });

  it.each([1, 1024 ** 3])("%d bytes → ok", (bytes) => {
    expect(checkInputBytes(bytes, limits).isOk()).toBe(true);
  });
});
