// ladderFor: rung sizes from the display size, boxes turned like the picture, the source's own size on top.
import { describe, expect, it } from "vitest";
import { fitsInBox } from "../../../../core/ffmpeg/display-size.ts";
import { ladderFor } from "../../../../core/ffmpeg/ladder-for.ts";
import { HLS_LADDER } from "../../../../core/ffmpeg/presets.ts";

const TOP_BOX = { longSide: 1920, shortSide: 1080 };
const ladderOf = (width: number, height: number) =>
  ladderFor({ width, height }, HLS_LADDER).map((r) => `${r.name} ${r.size.width}x${r.size.height}`);

describe("ladderFor: rung names and sizes", () => {
  it.each<{ name: string; display: [number, number]; rungs: string[] }>([
    {
      name: "4K UHD: capped by the 1080p box",
      display: [3840, 2160],
      rungs: ["1080p 1920x1080", "720p 1280x720", "480p 854x480", "360p 640x360", "240p 426x240"],
    },
    {
      name: "8K: capped by the 1080p box",
      display: [7680, 4320],
      rungs: ["1080p 1920x1080", "720p 1280x720", "480p 854x480", "360p 640x360", "240p 426x240"],
    },
    {
      name: "1080p: every rung",
      display: [1920, 1080],
      rungs: ["1080p 1920x1080", "720p 1280x720", "480p 854x480", "360p 640x360", "240p 426x240"],
    },
    {
      name: "1600x900, between 720p and 1080p: its own size on top",
      display: [1600, 900],
      rungs: ["900p 1600x900", "720p 1280x720", "480p 854x480", "360p 640x360", "240p 426x240"],
    },
    {
      name: "1000x700 (was 480p on top, 30 % of its lines lost): its own size on top",
      display: [1000, 700],
      rungs: ["700p 1000x700", "480p 686x480", "360p 514x360", "240p 342x240"],
    },
    {
      name: "PAL 16:9 (1024x576 shown)",
      display: [1024, 576],
      rungs: ["576p 1024x576", "480p 854x480", "360p 640x360", "240p 426x240"],
    },
    {
      name: "1366x768: the source replaces the 720p rung (less than 25 % more pixels)",
      display: [1366, 768],
      rungs: ["768p 1366x768", "480p 854x480", "360p 640x360", "240p 426x240"],
    },
    {
      name: "ultrawide 1920x800 film: 800 lines on top, not 720; lower rungs keep its 2.4:1 shape",
      display: [1920, 800],
      rungs: ["800p 1920x800", "534p 1280x534", "356p 854x356", "266p 640x266", "178p 426x178"],
    },
    {
      name: "ultrawide 3840x1600: capped by the 1080p box's width",
      display: [3840, 1600],
      rungs: ["800p 1920x800", "534p 1280x534", "356p 854x356", "266p 640x266", "178p 426x178"],
    },
    {
      name: "portrait 1080x1920: boxes turned",
      display: [1080, 1920],
      rungs: ["1080p 1080x1920", "720p 720x1280", "480p 480x854", "360p 360x640", "240p 240x426"],
    },
    {
      name: "portrait 8K phone clip: capped by the turned 1080p box",
      display: [4320, 7680],
      rungs: ["1080p 1080x1920", "720p 720x1280", "480p 480x854", "360p 360x640", "240p 240x426"],
    },
    {
      name: "4:3 1440x1080: its own size on top, lower rungs 4:3",
      display: [1440, 1080],
      rungs: ["1080p 1440x1080", "720p 960x720", "480p 640x480", "360p 480x360", "240p 320x240"],
    },
    {
      name: "1280x720 rotated to portrait",
      display: [720, 1280],
      rungs: ["720p 720x1280", "480p 480x854", "360p 360x640", "240p 240x426"],
    },
    { name: "641x361: even 640x360 on top", display: [641, 361], rungs: ["360p 640x360", "240p 426x240"] },
    { name: "320x240: one rung", display: [320, 240], rungs: ["240p 320x240"] },
    { name: "below the lowest rung: its own size", display: [320, 181], rungs: ["180p 320x180"] },
    { name: "QCIF", display: [176, 144], rungs: ["144p 176x144"] },
    { name: "a 4000x2 strip: one rung, names stay unique", display: [4000, 2], rungs: ["2p 1920x2"] },
  ])("$name", ({ display: [width, height], rungs }) => {
    expect(ladderOf(width, height)).toEqual(rungs);
  });
});

describe("ladderFor: bitrates", () => {
  it.each<{ display: [number, number]; kbps: number[] }>([
    { display: [1920, 1080], kbps: [5000, 2800, 1400, 800, 400] },
    { display: [3840, 2160], kbps: [5000, 2800, 1400, 800, 400] },
    // Between the 720p box (921,600 px, 2800k) and the 1080p box (2,073,600 px, 5000k), by area.
    { display: [1600, 900], kbps: [3790, 2800, 1400, 800, 400] },
    { display: [1920, 800], kbps: [3973, 2800, 1400, 800, 400] },
    { display: [1366, 768], kbps: [3043, 1400, 800, 400] },
    { display: [1000, 700], kbps: [2194, 1400, 800, 400] },
    { display: [641, 361], kbps: [800, 400] },
    { display: [320, 181], kbps: [400] },
  ])("$display → $kbps", ({ display: [width, height], kbps }) => {
    const rungs = ladderFor({ width, height }, HLS_LADDER);
    expect(rungs.map((r) => r.videoKbps)).toEqual(kbps);
    for (const r of rungs) {
      expect(r.maxrateKbps).toBeGreaterThan(r.videoKbps);
      expect(r.bufsizeKbps).toBeGreaterThan(r.maxrateKbps);
    }
  });
});

describe("ladderFor: invariants over a sweep of sizes", () => {
  it("never upscales, keeps sides even, names the short side, fits the top box, strictly decreases", () => {
    const violations: string[] = [];
    for (let width = 2; width <= 8000; width += 41) {
      for (let height = 2; height <= 8000; height += 59) {
        const rungs = ladderFor({ width, height }, HLS_LADDER);
        const where = `${width}x${height}`;
        if (rungs.length === 0) violations.push(`${where}: no rung`);
        rungs.forEach(({ size, name }, i) => {
          const even = size.width % 2 === 0 && size.height % 2 === 0;
          const noUpscale = size.width <= width && size.height <= height;
          const named = `${Math.min(size.width, size.height)}p` === name;
          const capped = fitsInBox(size, TOP_BOX);
          const previous = rungs[i - 1]?.size;
          const smaller =
            previous === undefined || (size.width < previous.width && size.height < previous.height);
          if (!(even && noUpscale && named && capped && smaller)) {
            violations.push(`${where} ${name} → ${size.width}x${size.height}`);
          }
        });
        // Shape kept: one scale factor for both sides, within the 2 pixels that even rounding may move them.
        for (const { size } of rungs) {
          const factor = Math.max(size.width, size.height) / Math.max(width, height);
          const short = Math.min(width, height) * factor;
          if (Math.abs(Math.min(size.width, size.height) - short) > 2) {
            violations.push(`${where} shape → ${size.width}x${size.height}`);
          }
        }
      }
    }
    expect(violations.slice(0, 20)).toEqual([]);
  });

  it("puts the source's own (even) size on top whenever it fits the top box", () => {
    for (const [width, height] of [
      [1600, 900],
      [1920, 800],
      [1000, 700],
      [1080, 1920],
      [1366, 768],
      [852, 480],
    ] as const) {
      expect(ladderFor({ width, height }, HLS_LADDER)[0]?.size).toEqual({ width, height });
    }
  });
});
