// Frame-size arithmetic: display size from rotation and pixel aspect, even downscales that never upscale.
import { describe, expect, it } from "vitest";
import { displaySize, fitShortSide, fitWidth } from "../../../../core/ffmpeg/display-size.ts";
import { fakeProbe } from "./ffprobe-json.ts";

const isEven = (n: number) => n % 2 === 0;

describe("displaySize", () => {
  it.each([
    { given: { width: 1280, height: 720 }, then: { width: 1280, height: 720 } },
    { given: { width: 1280, height: 720, matrixRotation: -90 }, then: { width: 720, height: 1280 } },
    { given: { width: 1280, height: 720, matrixRotation: 90 }, then: { width: 720, height: 1280 } },
    { given: { width: 1280, height: 720, matrixRotation: 180 }, then: { width: 1280, height: 720 } },
    // DVD NTSC 16:9: 720x480 coded with 32:27 pixels shows as 853x480.
    { given: { width: 720, height: 480, sar: "32:27" }, then: { width: 853, height: 480 } },
    {
      given: { width: 720, height: 480, sar: "32:27", matrixRotation: -90 },
      then: { width: 480, height: 853 },
    },
  ])("given $given then $then", ({ given, then }) => {
    const video = fakeProbe(given).video;
    if (video === undefined) throw new Error("fake probe has no video");
    expect(displaySize(video)).toEqual(then);
  });
});

describe("fitShortSide", () => {
  it.each([
    { size: { width: 1920, height: 1080 }, max: 480, then: { width: 854, height: 480 } },
    { size: { width: 1080, height: 1920 }, max: 480, then: { width: 480, height: 854 } },
    { size: { width: 1280, height: 720 }, max: 720, then: { width: 1280, height: 720 } },
    { size: { width: 641, height: 361 }, max: 360, then: { width: 640, height: 360 } },
    { size: { width: 641, height: 361 }, max: 480, then: { width: 640, height: 360 } },
    { size: { width: 320, height: 240 }, max: 480, then: { width: 320, height: 240 } },
    { size: { width: 3840, height: 1600 }, max: 720, then: { width: 1728, height: 720 } },
    { size: { width: 1, height: 1 }, max: 480, then: { width: 2, height: 2 } },
  ])("$size capped at $max → $then", ({ size, max, then }) => {
    expect(fitShortSide(size, max)).toEqual(then);
  });

  it("never upscales and always yields even sides, over a sweep of sizes and caps", () => {
    const violations: string[] = [];
    for (let width = 2; width <= 4000; width += 37) {
      for (let height = 2; height <= 4000; height += 53) {
        for (const max of [240, 360, 480, 720, 1080]) {
          const out = fitShortSide({ width, height }, max);
          const even = isEven(out.width) && isEven(out.height);
          const noUpscale = out.width <= width && out.height <= height;
          if (!even || !noUpscale || Math.min(out.width, out.height) > max) {
            violations.push(`${width}x${height}@${max} → ${out.width}x${out.height}`);
          }
        }
      }
    }
    expect(violations).toEqual([]);
  });
});

describe("fitWidth", () => {
  it.each([
    { size: { width: 3840, height: 2160 }, then: { width: 1280, height: 720 } },
    { size: { width: 720, height: 1280 }, then: { width: 720, height: 1280 } },
    { size: { width: 2160, height: 3840 }, then: { width: 1280, height: 2276 } },
    { size: { width: 641, height: 361 }, then: { width: 640, height: 360 } },
  ])("$size capped at 1280 wide → $then", ({ size, then }) => {
    expect(fitWidth(size, 1280)).toEqual(then);
  });
});
