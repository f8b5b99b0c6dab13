// Given / when / then table for output object keys, which must never escape the job's own prefix.
import { describe, expect, it } from "vitest";
import { outputKey, outputPrefix } from "../../../core/output-keys.ts";

describe("outputKey", () => {
  it.each([
    ["video.mp4", "outputs/job_0123456789/web-optimized/video.mp4"],
    ["poster.jpg", "outputs/job_0123456789/web-optimized/poster.jpg"],
    ["720p/seg_001.ts", "outputs/job_0123456789/web-optimized/720p/seg_001.ts"],
  ])("%s → %s", (rel, key) => {
    expect(outputKey("job_0123456789", "web-optimized", rel)._unsafeUnwrap()).toBe(key);
    expect(key.startsWith(outputPrefix("job_0123456789", "web-optimized"))).toBe(true);
  });

  it.each(["../x.mp4", "a/../../b", "/etc/passwd", "", "a//b", ".hidden", "a/./b", "a\\b", "a/b/c/d/e"])(
    "refuses %j",
    (rel) => {
      expect(outputKey("job_0123456789", "hls", rel)._unsafeUnwrapErr().code).toBe("unsafe-output-path");
    },
  );
});
