// Given / when / then table for turning hostile client filenames into safe upload keys.
import { describe, expect, it } from "vitest";
import { jobIdFromInputKey, safeFilename, safeInputKey } from "../../../core/safe-input-key.ts";

describe("safeFilename", () => {
  it.each([
    ["holiday.mp4", "holiday.mp4"],
    ["My Video (final).MOV", "My-Video-final.mov"],
    ["../../etc/passwd", "passwd"],
    ["..\\..\\windows\\system32\\cmd.exe", "cmd.exe"],
    ["/absolute/path/clip.webm", "clip.webm"],
    [".hidden.mp4", "hidden.mp4"],
    ["...", "input"],
    ["", "input"],
    ["vidéo été.mkv", "video-ete.mkv"],
    ["a\u0000b\nc.mp4", "a-b-c.mp4"],
    ["clip.mp4/", "input"],
    ["no-extension", "no-extension"],
    ["x.averyveryverylongextension", "x.averyveryverylongextension"],
    [`${"a".repeat(500)}.mp4`, `${"a".repeat(80)}.mp4`],
    ["%2e%2e%2fsecret.mp4", "2e-2e-2fsecret.mp4"],
    ["emoji 🎬 clip.mp4", "emoji-clip.mp4"],
    ["🎬🎬.mp4", "input.mp4"],
    ["🎬.MOV", "input.mov"],
    ["../🎬.webm", "input.webm"],
    ["-.mp4", "input.mp4"],
    [".mp4", "mp4"],
  ])("%j → %j", (given, then) => {
    expect(safeFilename(given)).toBe(then);
  });

  it("never yields path separators, leading dots or overlong names", () => {
    const hostile = [
      "../".repeat(50),
      "a/../../b",
      "\\\\server\\share\\x.mp4",
      ". .mp4",
      "-.mp4",
      "x".repeat(5000),
    ];
    for (const name of hostile) {
      const safe = safeFilename(name);
      expect(safe).not.toMatch(/[/\\]|^\.|\.\./);
      expect(safe.length).toBeLessThanOrEqual(91);
      expect(safe.length).toBeGreaterThan(0);
    }
  });
});

describe("safeInputKey / jobIdFromInputKey", () => {
  it("puts the upload under the job's folder and reads the job back", () => {
    const key = safeInputKey("job_0123456789", "../x.mp4")._unsafeUnwrap();
    expect(key).toBe("uploads/job_0123456789/x.mp4");
    expect(jobIdFromInputKey(key)).toBe("job_0123456789");
  });

  it("refuses an invalid job id", () => {
    expect(safeInputKey("../evil", "x.mp4")._unsafeUnwrapErr().code).toBe("invalid-job-id");
  });

  it.each([
    "outputs/job_0123456789/x.mp4",
    "uploads/job_0123456789/a/b.mp4",
    "uploads/short/x.mp4",
    "uploads/job_0123456789/",
    "uploads/../job_0123456789/x.mp4",
  ])("ignores %j", (key) => {
    expect(jobIdFromInputKey(key)).toBeNull();
  });
});
