// ffmpegTimeLimitMs: grows with duration and frame size, ranks presets by cost, never passes maxRunMs.
import { describe, expect, it } from "vitest";
import { ffmpegTimeLimitMs, type TimeLimitInput } from "../../../../core/ffmpeg/ffmpeg-time-limit.ts";
import { PRESET_NAMES } from "../../../../core/preset-names.ts";

const P720 = 1280 * 720;
const base: TimeLimitInput = {
  preset: "web-optimized",
  purpose: "transcode",
  durationSec: 60,
  sourcePixels: P720,
  maxRunMs: 24 * 3600 * 1000,
};

describe("ffmpegTimeLimitMs", () => {
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
