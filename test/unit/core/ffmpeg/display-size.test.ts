// Frame-size arithmetic: display size from rotation and pixel aspect, even downscales that never upscale.
import { describe, expect, it } from "vitest";
import {
  displaySize,
  fitBox,
  fitLongSide,
  fitShortSide,
  fitWidth,
} from "../../../../core/ffmpeg/display-size.ts";
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

describe("fitLongSide", () => {
  it.each([
    { size: { width: 1920, height: 800 }, max: 1280, then: { width: 1280, height: 534 } },
    { size: { width: 800, height: 1920 }, max: 1280, then: { width: 534, height: 1280 } },
    { size: { width: 1280, height: 720 }, max: 1920, then: { width: 1280, height: 720 } },
  ])("$size capped at $max → $then", ({ size, max, then }) => {
    expect(fitLongSide(size, max)).toEqual(then);
  });
});

describe("fitBox: fit inside a box turned like the picture, keeping its shape", () => {
  const UHD = { longSide: 3840, shortSide: 2160 };
  it.each([
    { size: { width: 7680, height: 4320 }, box: UHD, then: { width: 3840, height: 2160 } },
    { size: { width: 4320, height: 7680 }, box: UHD, then: { width: 2160, height: 3840 } },
    { size: { width: 3840, height: 2160 }, box: UHD, then: { width: 3840, height: 2160 } },
    { size: { width: 5120, height: 2160 }, box: UHD, then: { width: 3840, height: 1620 } },
    { size: { width: 4096, height: 2160 }, box: UHD, then: { width: 3840, height: 2026 } },
    { size: { width: 2880, height: 2880 }, box: UHD, then: { width: 2160, height: 2160 } },
    { size: { width: 1920, height: 1080 }, box: UHD, then: { width: 1920, height: 1080 } },
    { size: { width: 1921, height: 1081 }, box: UHD, then: { width: 1920, height: 1080 } },
    {
      size: { width: 1920, height: 800 },
      box: { longSide: 854, shortSide: 480 },
      then: { width: 854, height: 356 },
    },
    {
      size: { width: 1920, height: 1080 },
      box: { longSide: 854, shortSide: 480 },
      then: { width: 854, height: 480 },
    },
    {
      size: { width: 1440, height: 1080 },
      box: { longSide: 854, shortSide: 480 },
      then: { width: 640, height: 480 },
    },
  ])("$size in $box → $then", ({ size, box, then }) => {
    expect(fitBox(size, box)).toEqual(then);
  });

  it("never upscales, stays inside the box and even, over a sweep of sizes", () => {
    const violations: string[] = [];
    for (let width = 2; width <= 9000; width += 97) {
      for (let height = 2; height <= 9000; height += 89) {
        for (const box of [UHD, { longSide: 854, shortSide: 480 }]) {
          const out = fitBox({ width, height }, box);
          const inside =
            Math.max(out.width, out.height) <= box.longSide &&
            Math.min(out.width, out.height) <= box.shortSide;
          const noUpscale = out.width <= width && out.height <= height;
          if (!inside || !noUpscale || !isEven(out.width) || !isEven(out.height)) {
            violations.push(
              `${width}x${height} in ${box.longSide}x${box.shortSide} → ${out.width}x${out.height}`,
            );
          }
        }
      }
    }
    expect(violations).toEqual([]);
  });
});
