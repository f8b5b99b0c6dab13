// The video signal in the probe summary (colour, field order, Dolby Vision), read from the committed real probes,
// and what detectHdr and detectInterlace make of each fixture.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { detectHdr } from "../../../../core/ffmpeg/detect-hdr.ts";
import { detectInterlace } from "../../../../core/ffmpeg/detect-interlace.ts";
import { type ProbeStream, parseProbe } from "../../../../core/ffmpeg/probe-summary.ts";
import { fakeProbe } from "./ffprobe-json.ts";

const videoOf = (stem: string): ProbeStream => {
  const path = join(import.meta.dirname, "../../../../fixtures/probes", `${stem}.json`);
  const video = parseProbe(JSON.parse(readFileSync(path, "utf8")))._unsafeUnwrap().video;
  if (video === undefined) throw new Error(`${stem} has no video`);
  return video;
};

describe("the video signal of each committed probe", () => {
  it.each<{ stem: string; signal: Partial<ProbeStream> }>([
    {
      stem: "hlg-hevc-10bit",
      signal: {
        codec: "hevc",
        codecTag: "hvc1",
        pixFmt: "yuv420p10le",
        colorTransfer: "arib-std-b67",
        colorPrimaries: "bt2020",
        colorMatrix: "bt2020nc",
        fieldOrder: "progressive",
      },
    },
    {
      stem: "dolby-vision-84",
      signal: {
        codec: "hevc",
        codecTag: "dvh1",
        colorTransfer: "arib-std-b67",
        dolbyVision: { profile: 8, compatibilityId: 4 },
      },
    },
    {
      stem: "pq-hevc-10bit",
      signal: { codec: "hevc", colorTransfer: "smpte2084", colorPrimaries: "bt2020" },
    },
    { stem: "pq-vp9-10bit", signal: { codec: "vp9", pixFmt: "yuv420p10le", colorTransfer: "smpte2084" } },
    {
      stem: "hlg-h264-10bit",
      signal: { codec: "h264", pixFmt: "yuv420p10le", colorTransfer: "arib-std-b67" },
    },
    { stem: "interlaced-1080i-h264", signal: { codec: "h264", fieldOrder: "tt", width: 1920, height: 1080 } },
    {
      stem: "interlaced-576i-mpeg2",
      signal: { codec: "mpeg2video", fieldOrder: "tt", width: 720, height: 576, sampleAspectRatio: 64 / 45 },
    },
    {
      stem: "portrait-1080x1920",
      signal: { colorTransfer: "bt709", colorMatrix: "bt709", fieldOrder: "progressive" },
    },
  ])("$stem: $signal", ({ stem, signal }) => {
    expect(videoOf(stem)).toMatchObject(signal);
  });

  it("leaves out what ffprobe does not know: DV's field order, an SDR clip's colours, an empty codec tag", () => {
    const dv = videoOf("dv-576i");
    expect(dv).toMatchObject({ codec: "dvvideo", codecTag: "dvsd", width: 720, height: 576 });
    expect(dv.fieldOrder).toBeUndefined();
    expect(videoOf("pq-hevc-10bit").codecTag).toBeUndefined();
    const sdr = videoOf("h264-720p-10s");
    expect([sdr.colorTransfer, sdr.colorPrimaries, sdr.colorMatrix, sdr.dolbyVision]).toEqual([
      undefined,
      undefined,
      undefined,
      undefined,
    ]);
  });

  it("reads unknown and unspecified as not stated", () => {
    const video = fakeProbe({
      colorTransfer: "unknown",
      colorPrimaries: "unspecified",
      fieldOrder: "unknown",
    }).video;
    expect(video).not.toHaveProperty("colorTransfer");
    expect(video).not.toHaveProperty("colorPrimaries");
    expect(video).not.toHaveProperty("fieldOrder");
  });
});

describe("detectHdr and detectInterlace on every fixture", () => {
  it.each<{ stem: string; hdr: string | undefined; scan: string }>([
    { stem: "h264-720p-10s", hdr: undefined, scan: "progressive" },
    { stem: "vp9-opus", hdr: undefined, scan: "progressive" },
    { stem: "hevc-flac-1s", hdr: undefined, scan: "progressive" },
    { stem: "portrait-1080x1920", hdr: undefined, scan: "progressive" },
    { stem: "hlg-hevc-10bit", hdr: "arib-std-b67", scan: "progressive" },
    { stem: "dolby-vision-84", hdr: "arib-std-b67", scan: "progressive" },
    { stem: "pq-hevc-10bit", hdr: "smpte2084", scan: "progressive" },
    { stem: "pq-vp9-10bit", hdr: "smpte2084", scan: "progressive" },
    { stem: "hlg-h264-10bit", hdr: "arib-std-b67", scan: "progressive" },
    { stem: "interlaced-1080i-h264", hdr: undefined, scan: "interlaced" },
    { stem: "interlaced-576i-mpeg2", hdr: undefined, scan: "interlaced" },
    { stem: "dv-576i", hdr: undefined, scan: "maybe-interlaced" },
    { stem: "8k-3-frames", hdr: undefined, scan: "progressive" },
  ])("$stem: HDR $hdr, $scan", ({ stem, hdr, scan }) => {
    const video = videoOf(stem);
    expect(detectHdr(video)?.transfer).toBe(hdr);
    expect(detectInterlace(video)).toBe(scan);
  });
});
