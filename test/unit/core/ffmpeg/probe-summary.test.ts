// parseProbe: real ffprobe JSON from the fixtures, plus made-up edge cases, in given/when/then tables.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { inputProbeOptions, parseProbe, probeArgs } from "../../../../core/ffmpeg/probe-summary.ts";
import { type FakeInput, fakeProbe, ffprobeJson } from "./ffprobe-json.ts";

const committedProbe = (stem: string): unknown =>
  JSON.parse(readFileSync(join(import.meta.dirname, "../../../../fixtures/probes", `${stem}.json`), "utf8"));

describe("probeArgs", () => {
  it("deep: reads 64 MiB before giving up on recognising the input, the same options ffmpeg gets", () => {
    expect(probeArgs("in.mpg", "deep").slice(0, 6)).toEqual([
      ...["-v", "error", "-formatprobesize", "67108864", "-probesize", "67108864"],
    ]);
    expect(inputProbeOptions("normal")).toEqual([]);
  });

  it("asks ffprobe for JSON format and stream sections of the given path", () => {
    expect(probeArgs("/tmp/in put.mov")).toEqual([
      "-v",
      "error",
      "-print_format",
      "json",
      "-show_format",
      "-show_streams",
      "/tmp/in put.mov",
    ]);
  });
});

describe("parseProbe on committed fixture probes", () => {
  it("summarises the 720p H.264/AAC clip", () => {
    const summary = parseProbe(committedProbe("h264-720p-10s"))._unsafeUnwrap();
    expect(summary).toMatchObject({
      formatName: "mov,mp4,m4a,3gp,3g2,mj2",
      durationSec: 10,
      hasAudio: true,
      video: {
        index: 0,
        codec: "h264",
        width: 1280,
        height: 720,
        rotation: 0,
        frameRate: 30,
        pixFmt: "yuv420p",
      },
      audio: { index: 1, codec: "aac", channels: 2, sampleRate: 48000 },
    });
    expect(summary.sizeBytes).toBeGreaterThan(0);
  });

  it.each([
    { stem: "rotated-90", then: { rotation: 90, width: 1280, height: 720 } },
    { stem: "odd-641x361", then: { rotation: 0, width: 641, height: 361, pixFmt: "yuv444p" } },
    { stem: "vp9-opus", then: { codec: "vp9", frameRate: 25 } },
  ])("$stem: video stream $then", ({ stem, then }) => {
    expect(parseProbe(committedProbe(stem))._unsafeUnwrap().video).toMatchObject(then);
  });

  it("no-audio-3s has no audio", () => {
    const summary = parseProbe(committedProbe("no-audio-3s"))._unsafeUnwrap();
    expect(summary.hasAudio).toBe(false);
    expect(summary.audio).toBeUndefined();
  });

  it("audio-cover-art: the picture is cover art, not the primary video", () => {
    const summary = parseProbe(committedProbe("audio-cover-art"))._unsafeUnwrap();
    expect(summary.streams.some((s) => s.kind === "video" && s.isAttachedPic)).toBe(true);
    expect(summary.video).toBeUndefined();
  });

  it.each(["truncated", "not-a-video"])("%s: ffprobe printed {} → unreadable-media", (stem) => {
    expect(parseProbe(committedProbe(stem))._unsafeUnwrapErr().code).toBe("unreadable-media");
  });
});

describe("rotation normalised to clockwise 0/90/180/270", () => {
  it.each<{ given: FakeInput; then: number }>([
    { given: {}, then: 0 },
    { given: { matrixRotation: -90 }, then: 90 },
    { given: { matrixRotation: 90 }, then: 270 },
    { given: { matrixRotation: 180 }, then: 180 },
    { given: { matrixRotation: -180 }, then: 180 },
    { given: { matrixRotation: -270 }, then: 270 },
    { given: { matrixRotation: -88.5 }, then: 90 },
    { given: { rotateTag: "90" }, then: 90 },
    { given: { rotateTag: "-90" }, then: 270 },
    { given: { rotateTag: "360" }, then: 0 },
    { given: { rotateTag: "garbage" }, then: 0 },
    { given: { rotateTag: "180", matrixRotation: -90 }, then: 90 },
  ])("given $given then $then", ({ given, then }) => {
    expect(fakeProbe(given).video?.rotation).toBe(then);
  });
});

describe("frame rate", () => {
  it.each<{ given: FakeInput; then: number | undefined }>([
    { given: { fps: "30/1" }, then: 30 },
    { given: { fps: "30000/1001" }, then: 30000 / 1001 },
    { given: { fps: "0/0" }, then: undefined },
    { given: { fps: "90000/1" }, then: undefined },
  ])("given $given.fps then $then", ({ given, then }) => {
    expect(fakeProbe(given).video?.frameRate).toBe(then);
  });

  it("falls back to r_frame_rate when avg_frame_rate is 0/0", () => {
    const json = ffprobeJson();
    const [video] = json.streams as Record<string, unknown>[];
    Object.assign(video ?? {}, { avg_frame_rate: "0/0", r_frame_rate: "25/1" });
    expect(parseProbe(json)._unsafeUnwrap().video?.frameRate).toBe(25);
  });
});

describe("durations, sizes and aspect ratio", () => {
  it("takes the longest stream duration when the container states none", () => {
    const json = ffprobeJson({ durationSec: null });
    const [video, audio] = json.streams as Record<string, unknown>[];
    Object.assign(video ?? {}, { duration: "4.000000" });
    Object.assign(audio ?? {}, { duration: "4.021333" });
    expect(parseProbe(json)._unsafeUnwrap().durationSec).toBeCloseTo(4.021333);
  });

  it("reports 0 when nothing states a duration (the planner rejects it)", () => {
    expect(fakeProbe({ durationSec: null }).durationSec).toBe(0);
  });

  it("treats N/A numbers as absent", () => {
    const json = ffprobeJson();
    Object.assign(json.format as object, { bit_rate: "N/A" });
    expect(parseProbe(json)._unsafeUnwrap().bitRate).toBeUndefined();
  });

  it.each([
    { sar: "1:1", then: undefined },
    { sar: "0:1", then: undefined },
    { sar: "32:27", then: 32 / 27 },
  ])("sample_aspect_ratio $sar → $then", ({ sar, then }) => {
    expect(fakeProbe({ sar }).video?.sampleAspectRatio).toBe(then);
  });
});

describe("what a plan needs to pick tracks and time them", () => {
  it("two-tones-default-880: the second audio track is the one flagged default", () => {
    const { streams } = parseProbe(committedProbe("two-tones-default-880"))._unsafeUnwrap();
    expect(streams.map((s) => [s.kind, s.isDefault])).toEqual([
      ["video", true],
      ["audio", false],
      ["audio", true],
    ]);
  });

  it("subtitle-outlasts: Matroska's DURATION tags give each stream's end; the container's is the subtitle's", () => {
    const summary = parseProbe(committedProbe("subtitle-outlasts"))._unsafeUnwrap();
    expect(summary).toMatchObject({ durationSec: 65.021, startSec: 0, streamCount: 3 });
    expect(summary.streams.map((s) => [s.kind, s.startSec, s.endSec])).toEqual([
      ["video", 0.021, 3.021],
      ["audio", 0, 3.021],
      ["subtitle", 0, 65.021],
    ]);
  });

  it("fragmented-unknown-duration: all-ones durations are unknown, not 335544 s", () => {
    const { streams } = parseProbe(committedProbe("fragmented-unknown-duration"))._unsafeUnwrap();
    for (const stream of streams) {
      expect(stream.durationUnknown).toBe(true);
      expect(stream.endSec).toBeUndefined();
    }
  });

  it.each([
    { durationTs: 4294967295, unknown: true },
    { durationTs: -1, unknown: true },
    { durationTs: 25600, unknown: undefined },
  ])("duration_ts $durationTs → unknown: $unknown", ({ durationTs, unknown }) => {
    const json = ffprobeJson();
    const [video] = json.streams as Record<string, unknown>[];
    Object.assign(video ?? {}, { duration_ts: durationTs });
    expect(parseProbe(json)._unsafeUnwrap().video?.durationUnknown).toBe(unknown);
  });

  it("raw-h264: no start, no end, and B-frames (a reorder delay of 2)", () => {
    const { video } = parseProbe(committedProbe("raw-h264"))._unsafeUnwrap();
    expect(video).toMatchObject({ codec: "h264", reorderDelay: 2 });
    expect(video?.startSec).toBeUndefined();
    expect(video?.endSec).toBeUndefined();
  });
});

describe("rejections", () => {
  it.each<{ name: string; given: unknown; code: string }>([
    { name: "empty object (ffprobe could not open the file)", given: {}, code: "unreadable-media" },
    {
      name: "format but no streams",
      given: { format: { format_name: "mp3", size: "10" } },
      code: "unreadable-media",
    },
    { name: "not an object", given: "oops", code: "malformed-probe" },
    {
      name: "streams not an array",
      given: { streams: {}, format: { format_name: "x" } },
      code: "malformed-probe",
    },
    {
      name: "stream without index",
      given: { streams: [{ codec_type: "video" }], format: { format_name: "x", size: "1" } },
      code: "malformed-probe",
    },
    {
      name: "no format.size",
      given: { streams: [{ index: 0, codec_type: "video" }], format: { format_name: "x" } },
      code: "malformed-probe",
    },
  ])("$name → $code", ({ given, code }) => {
    const rejection = parseProbe(given)._unsafeUnwrapErr();
    expect(rejection.code).toBe(code);
    expect(rejection.message.length).toBeGreaterThan(10);
  });

  it("names the unknown codec 'unknown' rather than failing the parse", () => {
    const json = ffprobeJson();
    const [video] = json.streams as Record<string, unknown>[];
    delete video?.codec_name;
    expect(parseProbe(json)._unsafeUnwrap().video?.codec).toBe("unknown");
  });
});
