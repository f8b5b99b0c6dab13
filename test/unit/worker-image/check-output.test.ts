// checkOutput (what ffmpeg wrote against the plan), localDestination (single-job file layout) and the ustar
// header: given / when / then.
import { describe, expect, it } from "vitest";
import type { ExpectedOutput, PlannedOutput } from "../../../core/ffmpeg/ffmpeg-plan.ts";
import type { ProbeStream, ProbeSummary } from "../../../core/ffmpeg/probe-summary.ts";
import { localDestination } from "../../../worker-image/deliver-outputs.ts";
import type { OutputFile } from "../../../worker-image/list-output-files.ts";
import { ustarHeader, ustarSize } from "../../../worker-image/ustar-stream.ts";
import { checkOutput } from "../../../worker-image/verify-output.ts";

const EXPECTED: ExpectedOutput = {
  container: "mp4",
  videoCodec: "h264",
  audioCodec: "aac",
  width: 1280,
  height: 720,
  rotation: 0,
  durationSec: 10,
};
const video: ProbeStream = {
  index: 0,
  kind: "video",
  codec: "h264",
  width: 1280,
  height: 720,
  rotation: 0,
  isAttachedPic: false,
};
const audio: ProbeStream = { index: 1, kind: "audio", codec: "aac", rotation: 0, isAttachedPic: false };
const probe = (over: Partial<ProbeSummary> = {}): ProbeSummary => ({
  formatName: "mov,mp4,m4a,3gp,3g2,mj2",
  durationSec: 10.02,
  sizeBytes: 1000,
  streams: [video, audio],
  hasAudio: true,
  video,
  audio,
  ...over,
});

describe("checkOutput", () => {
  it.each<{ name: string; given: ProbeSummary; then: RegExp | null }>([
    { name: "as planned", given: probe(), then: null },
    { name: "0.4 s short: within an encoder's padding", given: probe({ durationSec: 9.6 }), then: null },
    {
      name: "cut short",
      given: probe({ durationSec: 4.2 }),
      then: /lasts 4\.20 s but the input states 10\.00 s/,
    },
    { name: "no video", given: probe({ video: undefined }), then: /no video stream/ },
    {
      name: "the wrong codec",
      given: probe({ video: { ...video, codec: "mpeg4" } }),
      then: /video is mpeg4/,
    },
    { name: "audio lost", given: probe({ audio: undefined, hasAudio: false }), then: /audio is absent/ },
    { name: "the wrong size", given: probe({ video: { ...video, width: 1278 } }), then: /is 1278x720/ },
  ])("$name", ({ given, then }) => {
    const result = checkOutput(EXPECTED, given);
    if (then === null) expect(result.isOk()).toBe(true);
    else expect(result._unsafeUnwrapErr()).toMatch(then);
  });
});

describe("localDestination", () => {
  const file = (type: PlannedOutput["type"], relativePath: string): OutputFile => ({
    relativePath,
    absolutePath: `/work/out/${relativePath}`,
    size: 1,
    output: { type, path: relativePath, isPattern: false, contentType: "x/y" },
  });
  it.each<{ given: OutputFile; output: string; then: string }>([
    { given: file("video", "video.mp4"), output: "/o/clip.mp4", then: "/o/clip.mp4" },
    { given: file("poster", "poster.jpg"), output: "/o/clip.mp4", then: "/o/clip.poster.jpg" },
    { given: file("hls-master", "master.m3u8"), output: "/o/hls/main.m3u8", then: "/o/hls/main.m3u8" },
    {
      given: file("hls-playlist", "720p/index.m3u8"),
      output: "/o/hls/main.m3u8",
      then: "/o/hls/720p/index.m3u8",
    },
    {
      given: file("hls-segment", "720p/seg_001.ts"),
      output: "/o/hls/main.m3u8",
      then: "/o/hls/720p/seg_001.ts",
    },
    { given: file("poster", "poster.jpg"), output: "/o/hls/main.m3u8", then: "/o/hls/main.poster.jpg" },
  ])("$given.relativePath for $output → $then", ({ given, output, then }) => {
    expect(localDestination(given, output)).toBe(then);
  });
});

describe("ustar", () => {
  it("sizes an archive as header + padded data per entry + two zero blocks", () => {
    const open = () => new ReadableStream<Uint8Array>();
    expect(ustarSize([])).toBe(1024);
    expect(
      ustarSize([
        { name: "a", size: 0, open },
        { name: "b", size: 513, open },
      ]),
    ).toBe(512 + 512 + 1024 + 1024);
  });

  it("writes a header tar can check: magic, octal size, checksum over the block", () => {
    const header = ustarHeader({ name: "720p/seg_000.ts", size: 1_234_567 }, 1_700_000_000);
    const text = (from: number, to: number) => new TextDecoder().decode(header.subarray(from, to));
    expect(header.length).toBe(512);
    expect(text(0, 15)).toBe("720p/seg_000.ts");
    expect(text(124, 136)).toBe(`${(1_234_567).toString(8).padStart(11, "0")}\0`);
    expect(text(257, 263)).toBe("ustar\0");
    const blanked = new Uint8Array(header);
    blanked.fill(0x20, 148, 156);
    const sum = blanked.reduce((a, b) => a + b, 0);
    expect(Number.parseInt(text(148, 154), 8)).toBe(sum);
  });

  it("splits a long name into prefix and name at a slash, and refuses what cannot fit", () => {
    const long = `${"d".repeat(120)}/seg_000.ts`;
    const header = ustarHeader({ name: long, size: 1 }, 0);
    const text = (from: number, to: number) =>
      new TextDecoder().decode(header.subarray(from, to)).replace(/\0+$/, "");
    expect(text(0, 100)).toBe("seg_000.ts");
    expect(text(345, 500)).toBe("d".repeat(120));
    expect(() => ustarHeader({ name: "x".repeat(101), size: 1 }, 0)).toThrow(/too long/);
  });
});
