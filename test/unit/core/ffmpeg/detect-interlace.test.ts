// detectInterlace: a stated field order decides; without one, broadcast codecs at interlaced sizes and rates.
import { describe, expect, it } from "vitest";
import { detectInterlace, type ScanType } from "../../../../core/ffmpeg/detect-interlace.ts";
import { type FakeInput, fakeProbe } from "./ffprobe-json.ts";

const scanOf = (given: FakeInput): ScanType => {
  const video = fakeProbe(given).video;
  if (video === undefined) throw new Error("fake probe has no video");
  return detectInterlace(video);
};

const SD_PAL = { width: 720, height: 576, fps: "25/1" } as const;
const SD_NTSC = { width: 720, height: 480, fps: "30000/1001" } as const;
const HD_1080_25 = { width: 1920, height: 1080, fps: "25/1" } as const;

describe("detectInterlace", () => {
  it.each<{ name: string; given: FakeInput; then: ScanType }>([
    { name: "progressive, stated", given: { fieldOrder: "progressive" }, then: "progressive" },
    { name: "top field first (tt)", given: { fieldOrder: "tt" }, then: "interlaced" },
    { name: "bottom field first (bb)", given: { fieldOrder: "bb" }, then: "interlaced" },
    { name: "top coded first, bottom shown first (tb)", given: { fieldOrder: "tb" }, then: "interlaced" },
    { name: "bottom coded first, top shown first (bt)", given: { fieldOrder: "bt" }, then: "interlaced" },
    {
      name: "1080i MPEG-2 in TS stating tt",
      given: { ...HD_1080_25, videoCodec: "mpeg2video", formatName: "mpegts", fieldOrder: "tt" },
      then: "interlaced",
    },
    {
      name: "a stated progressive 576 MPEG-2 stays progressive (the probe is believed)",
      given: { ...SD_PAL, videoCodec: "mpeg2video", formatName: "mpegts", fieldOrder: "progressive" },
      then: "progressive",
    },
    { name: "no field order, 720p H.264", given: {}, then: "progressive" },
    {
      name: "DV PAL, no field order",
      given: { ...SD_PAL, videoCodec: "dvvideo", formatName: "dv" },
      then: "maybe-interlaced",
    },
    {
      name: "DV NTSC, field order unknown",
      given: { ...SD_NTSC, videoCodec: "dvvideo", fieldOrder: "unknown" },
      then: "maybe-interlaced",
    },
    {
      name: "MPEG-4 Part 2 capture 720x576 25",
      given: { ...SD_PAL, videoCodec: "mpeg4", formatName: "avi" },
      then: "maybe-interlaced",
    },
    {
      name: "1440x1080 H.264 29.97, no field order",
      given: { width: 1440, height: 1080, fps: "30000/1001" },
      then: "maybe-interlaced",
    },
    { name: "1080 at 25 with no field order", given: HD_1080_25, then: "maybe-interlaced" },
    {
      name: "1080 at 50: progressive (1080i is 25 or 29.97 frames)",
      given: { ...HD_1080_25, fps: "50/1" },
      then: "progressive",
    },
    { name: "1080 at 24: film, progressive", given: { ...HD_1080_25, fps: "24/1" }, then: "progressive" },
    {
      name: "576 at 29.97: not a broadcast pairing",
      given: { ...SD_PAL, fps: "30000/1001" },
      then: "progressive",
    },
    { name: "640x480 webcam", given: { width: 640, height: 480, fps: "30000/1001" }, then: "progressive" },
    {
      name: "VP9 at 1080/25 (web codec, never interlaced)",
      given: { ...HD_1080_25, videoCodec: "vp9", formatName: "matroska,webm" },
      then: "progressive",
    },
    {
      name: "HEVC at 576/25 with no field order",
      given: { ...SD_PAL, videoCodec: "hevc" },
      then: "progressive",
    },
    {
      name: "no frame rate: progressive",
      given: { ...SD_PAL, videoCodec: "dvvideo", fps: "0/0" },
      then: "progressive",
    },
  ])("$name → $then", ({ given, then }) => {
    expect(scanOf(given)).toBe(then);
  });
});
