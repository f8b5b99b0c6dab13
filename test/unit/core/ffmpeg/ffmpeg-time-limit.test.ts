// ffmpegTimeLimitMs: grows with the work (pixels per second × duration), ranks presets by cost, stays between its
// floor and maxRunMs; describeTimeLimit says what a limit was for.
import { describe, expect, it } from "vitest";
import type { FfmpegCommand } from "../../../../core/ffmpeg/ffmpeg-plan.ts";
import {
  describeTimeLimit,
  ffmpegTimeLimitMs,
  type TimeLimitInput,
} from "../../../../core/ffmpeg/ffmpeg-time-limit.ts";
import { PRESET_NAMES } from "../../../../core/preset-names.ts";

const P720 = 1280 * 720;
const base: TimeLimitInput = {
  preset: "web-optimized",
  purpose: "transcode",
  durationSec: 60,
  sourcePixels: P720,
  maxRunMs: 24 * 3600 * 1000,
};

const SIX_HOURS_MS = 6 * 3600 * 1000;
const P8K = 7680 * 4320;

/** Given the work, the limit (ms): 60 s of floor plus the preset's seconds per media second × the work's scale. */
const table: { name: string; given: Partial<TimeLimitInput>; limitMs: number }[] = [
  { name: "720p at 30 fps, a minute: the reference", given: {}, limitMs: 60_000 + 60 * 1_500 },
  {
    name: "720p at 60 fps: twice the pixels a second",
    given: { framesPerSecond: 60 },
    limitMs: 60_000 + 60 * 3_000,
  },
  { name: "no stated frame rate: 30 fps assumed", given: { framesPerSecond: undefined }, limitMs: 150_000 },
  { name: "a frame rate of 0: 30 fps assumed", given: { framesPerSecond: 0 }, limitMs: 150_000 },
  { name: "320x240: a 720p30 floor per second", given: { sourcePixels: 320 * 240 }, limitMs: 150_000 },
  { name: "720p at 1 fps: the same floor", given: { framesPerSecond: 1 }, limitMs: 150_000 },
  {
    name: "4K at 30 fps, 10 s: nine times the pixels",
    given: { sourcePixels: 3840 * 2160, durationSec: 10 },
    limitMs: 60_000 + 10 * 13_500,
  },
  {
    // 14 MB of upload that decodes to three hours of 8K at 1 fps: 1.2 times 720p30's pixel rate, not 36 times.
    name: "8K at 1 fps for 3 h: from its work, under the six-hour ceiling",
    given: { sourcePixels: P8K, framesPerSecond: 1, durationSec: 3 * 3600, maxRunMs: SIX_HOURS_MS },
    limitMs: 60_000 + 3 * 3600 * 1_800,
  },
  {
    name: "8K at 30 fps for 3 h: the ceiling",
    given: { sourcePixels: P8K, framesPerSecond: 30, durationSec: 3 * 3600, maxRunMs: SIX_HOURS_MS },
    limitMs: SIX_HOURS_MS,
  },
  {
    name: "stream copy of 8K at 1 fps for 3 h: duration only",
    given: { preset: "default", sourcePixels: P8K, framesPerSecond: 1, durationSec: 3 * 3600 },
    limitMs: 60_000 + 3 * 3600 * 50,
  },
  { name: "hls, 720p30, a minute", given: { preset: "hls" }, limitMs: 60_000 + 60 * 3_000 },
  { name: "mobile, 720p30, a minute", given: { preset: "mobile" }, limitMs: 60_000 + 60 * 1_000 },
  { name: "tone-mapped: twice per second", given: { toneMapped: true }, limitMs: 60_000 + 60 * 3_000 },
  { name: "zero duration: the floor", given: { durationSec: 0 }, limitMs: 60_000 },
  { name: "a ceiling below the floor wins", given: { maxRunMs: 300 }, limitMs: 300 },
];

describe("ffmpegTimeLimitMs", () => {
  it.each(table)("given $name, the limit is $limitMs ms", ({ given, limitMs }) => {
    expect(ffmpegTimeLimitMs({ ...base, framesPerSecond: 30, ...given })).toBe(limitMs);
  });

  it.each(PRESET_NAMES)("%s: never shrinks as the duration grows", (preset) => {
    let previous = 0;
    for (const durationSec of [0, 0.5, 1, 10, 60, 600, 3600, 4 * 3600]) {
      const limit = ffmpegTimeLimitMs({ ...base, preset, durationSec });
      expect(limit).toBeGreaterThanOrEqual(previous);
      previous = limit;
    }
    expect(previous).toBeGreaterThan(ffmpegTimeLimitMs({ ...base, preset, durationSec: 0 }));
  });

  it("ranks presets by their work: copy < mobile < web-optimized < hls", () => {
    const limits = (["default", "mobile", "web-optimized", "hls"] as const).map((preset) =>
      ffmpegTimeLimitMs({ ...base, preset, durationSec: 600 }),
    );
    expect([...limits].sort((a, b) => a - b)).toEqual(limits);
    expect(new Set(limits).size).toBe(4);
  });

  it("gives tone-mapped (HDR → SDR) encodes twice the per-second time, not stream copies", () => {
    const at = (preset: TimeLimitInput["preset"], toneMapped: boolean) =>
      ffmpegTimeLimitMs({ ...base, preset, durationSec: 100, toneMapped });
    expect(at("web-optimized", true) - 60_000).toBe(2 * (at("web-optimized", false) - 60_000));
    expect(at("hls", true)).toBeGreaterThan(at("hls", false));
    expect(at("default", true)).toBe(at("default", false));
  });

  it("gives bigger frames more time when encoding, not when copying", () => {
    const at = (preset: TimeLimitInput["preset"], sourcePixels: number) =>
      ffmpegTimeLimitMs({ ...base, preset, sourcePixels });
    expect(at("web-optimized", 3840 * 2160)).toBeGreaterThan(at("web-optimized", P720));
    expect(at("web-optimized", 320 * 240)).toBe(at("web-optimized", P720));
    expect(at("default", 3840 * 2160)).toBe(at("default", P720));
  });

  it("is capped by maxRunMs", () => {
    expect(ffmpegTimeLimitMs({ ...base, preset: "hls", durationSec: 4 * 3600, maxRunMs: 3_600_000 })).toBe(
      3_600_000,
    );
  });

  it("keeps the poster's limit independent of duration, above a second of work", () => {
    const poster = (durationSec: number) => ffmpegTimeLimitMs({ ...base, purpose: "poster", durationSec });
    expect(poster(5)).toBe(poster(4 * 3600));
    expect(poster(5)).toBeGreaterThan(1000);
    expect(poster(5)).toBeLessThan(ffmpegTimeLimitMs({ ...base, durationSec: 5 }));
  });

  it("allows at least the base minute for the shortest transcode", () => {
    expect(ffmpegTimeLimitMs({ ...base, preset: "default", durationSec: 0.1 })).toBeGreaterThanOrEqual(
      60_000,
    );
  });
});

describe("describeTimeLimit", () => {
  const command = (purpose: FfmpegCommand["purpose"], timeLimitMs: number): FfmpegCommand => ({
    argv: [],
    purpose,
    timeLimitMs,
    work: { preset: "web-optimized", width: 7680, height: 4320, durationSec: 10_800 },
  });

  it("names the limit, the frame size, the duration and the preset", () => {
    expect(describeTimeLimit(command("transcode", 19_500_000))).toBe(
      "exceeded its time limit of 19500 s for 7680×4320 × 10800 s at preset web-optimized",
    );
    expect(
      describeTimeLimit({
        ...command("transcode", 300),
        work: { ...command("transcode", 1).work, durationSec: 10.04 },
      }),
    ).toBe("exceeded its time limit of 0.3 s for 7680×4320 × 10.0 s at preset web-optimized");
  });

  it("speaks of one frame for a poster", () => {
    expect(describeTimeLimit(command("poster", 35_000))).toBe(
      "exceeded its time limit of 35 s for a 7680×4320 frame at preset web-optimized",
    );
  });
});
