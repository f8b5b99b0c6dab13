// checkInput: which probed uploads are refused, with which stable code, before any preset is planned.
import { describe, expect, it } from "vitest";
import { checkInput, DEFAULT_PLAN_LIMITS, type PlanLimits } from "../../../../core/ffmpeg/check-input.ts";
import { type FakeInput, fakeProbe } from "./ffprobe-json.ts";

const LIMITS: PlanLimits = {
  maxDurationSec: 3600,
  maxInputBytes: 1_000_000_000,
  maxPixels: 3840 * 2160,
  maxRunMs: 1e7,
};

describe("checkInput rejections", () => {
  it.each<{ name: string; given: FakeInput; code: string }>([
    { name: "audio only", given: { videoCodec: null }, code: "not-a-video" },
    { name: "audio with cover art", given: { videoCodec: null, coverArt: "last" }, code: "not-a-video" },
    {
      name: "png file",
      given: { formatName: "png_pipe", videoCodec: "png", durationSec: null },
      code: "not-a-video",
    },
    {
      name: "jpeg via image2",
      given: { formatName: "image2", videoCodec: "mjpeg", durationSec: 0.04 },
      code: "not-a-video",
    },
    { name: "one-frame H.264", given: { frames: 1, durationSec: 0.04 }, code: "still-image" },
    {
      name: "mjpeg in mov, no duration",
      given: { videoCodec: "mjpeg", durationSec: null },
      code: "still-image",
    },
    { name: "video without duration", given: { durationSec: null }, code: "zero-duration" },
    { name: "video with duration 0", given: { durationSec: 0 }, code: "zero-duration" },
    {
      name: "raw H.264 whose duration is a bitrate guess, not measured",
      given: { formatName: "h264", durationSec: 12, audioCodec: null },
      code: "zero-duration",
    },
    {
      name: "video stating no duration of its own beside a subtitle (the container's is the subtitle's)",
      given: { videoDurationSec: null, subtitleEndSec: 65, durationSec: 65 },
      code: "zero-duration",
    },
    { name: "video and audio longer than the limit", given: { durationSec: 3700 }, code: "too-long" },
    { name: "longer than the limit", given: { durationSec: 3600.5 }, code: "too-long" },
    { name: "bigger file than the limit", given: { sizeBytes: 1_000_000_001 }, code: "too-large" },
    { name: "more pixels than the limit", given: { width: 7680, height: 4320 }, code: "too-large" },
    { name: "video codec ffprobe cannot name", given: { videoCodec: "unknown" }, code: "unsupported-codec" },
    { name: "video without frame size", given: { width: 0 }, code: "unsupported-codec" },
  ])("$name → $code", ({ given, code }) => {
    const rejection = checkInput(fakeProbe(given), LIMITS)._unsafeUnwrapErr();
    expect(rejection.code).toBe(code);
    expect(rejection.message).toMatch(/^the |^ffmpeg /);
  });
});

describe("checkInput accepts", () => {
  it.each<{ name: string; given: FakeInput }>([
    { name: "ordinary 720p clip", given: {} },
    { name: "exactly at the duration limit", given: { durationSec: 3600 } },
    { name: "exactly at the pixel limit", given: { width: 3840, height: 2160 } },
    {
      name: "animated GIF",
      given: { formatName: "gif", videoCodec: "gif", audioCodec: null, durationSec: 2.5 },
    },
    { name: "video with cover art as well", given: { coverArt: "first" } },
  ])("$name", ({ given }) => {
    expect(checkInput(fakeProbe(given), LIMITS).isOk()).toBe(true);
  });

  it("an audio codec ffprobe cannot name: video-only, with a note", () => {
    const checked = checkInput(fakeProbe({ audioCodec: "unknown" }), LIMITS)._unsafeUnwrap();
    expect(checked.audio).toBeUndefined();
    expect(checked.notes).toEqual([
      "audio track 1 of 1 (unknown codec) could not be decoded: FFmpeg does not recognise its codec; " +
        "the output is video-only",
    ]);
  });

  it.each<{ name: string; given: FakeInput; durationSec: number }>([
    { name: "a subtitle that ends at 65 s after 3 s of video", given: { durationSec: 65 }, durationSec: 3 },
    { name: "a subtitle longer than the limit", given: { durationSec: 7200 }, durationSec: 3 },
  ])("durations come from the video and audio, not $name", ({ given, durationSec }) => {
    const probe = fakeProbe({
      ...given,
      videoDurationSec: 3,
      audioTracks: [{ codec: "aac", isDefault: true, durationSec: 3 }],
      subtitleEndSec: given.durationSec ?? 65,
    });
    expect(checkInput(probe, LIMITS)._unsafeUnwrap().durationSec).toBe(durationSec);
  });

  it("measured spans stand in for durations the probe does not state", () => {
    const probe = fakeProbe({ formatName: "h264", durationSec: null, audioCodec: null });
    const measured = new Map([[0, { startSec: 0, endSec: 4 }]]);
    expect(checkInput(probe, LIMITS, { measured })._unsafeUnwrap()).toMatchObject({
      durationSec: 4,
      videoSpan: { startSec: 0, endSec: 4 },
    });
  });

  it("hands the planners the display size and source pixels", () => {
    const checked = checkInput(fakeProbe({ matrixRotation: -90 }), LIMITS)._unsafeUnwrap();
    expect(checked.display).toEqual({ width: 720, height: 1280 });
    expect(checked.sourcePixels).toBe(1280 * 720);
  });
});

describe("DEFAULT_PLAN_LIMITS", () => {
  it("allows 4 h, 20 GiB and 8K, and caps one command at 6 h", () => {
    expect(DEFAULT_PLAN_LIMITS).toEqual({
      maxDurationSec: 14_400,
      maxInputBytes: 21_474_836_480,
      maxPixels: 33_177_600,
      maxRunMs: 21_600_000,
    });
  });
});
