// spansOf / needsMeasuring: which durations count (the streams transcoded), and when only packets can tell.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { type ProbeStream, parseProbe } from "../../../../core/ffmpeg/probe-summary.ts";
import { needsMeasuring, type StreamSpan, spansOf } from "../../../../core/ffmpeg/stream-spans.ts";
import { type FakeInput, fakeProbe } from "./ffprobe-json.ts";

const PROBES = join(import.meta.dirname, "../../../../fixtures/probes");
const round = (n: number) => Math.round(n * 1e6) / 1e6;
const rounded = (s: StreamSpan): StreamSpan => ({ startSec: round(s.startSec), endSec: round(s.endSec) });

const usedStreams = (given: FakeInput): { probe: ReturnType<typeof fakeProbe>; used: ProbeStream[] } => {
  const probe = fakeProbe(given);
  const used = [probe.video, probe.audio].filter((s): s is ProbeStream => s !== undefined);
  return { probe, used };
};

describe("spansOf: what the probe states", () => {
  it.each<{ name: string; given: FakeInput; spans: StreamSpan[] }>([
    {
      name: "MP4: each stream's own duration",
      given: { durationSec: 10 },
      spans: [
        { startSec: 0, endSec: 10 },
        { startSec: 0, endSec: 10 },
      ],
    },
    {
      name: "a subtitle ending at 65 s does not stretch 3 s of video",
      given: {
        durationSec: 65,
        videoDurationSec: 3,
        audioTracks: [{ codec: "aac", durationSec: 3 }],
        subtitleEndSec: 65,
      },
      spans: [
        { startSec: 0, endSec: 3 },
        { startSec: 0, endSec: 3 },
      ],
    },
    {
      name: "streams that start late keep their start",
      given: {
        durationSec: 3,
        videoStartSec: 1.48,
        audioTracks: [{ codec: "aac", startSec: 1.4587, durationSec: 2 }],
      },
      spans: [
        { startSec: 1.48, endSec: 4.48 },
        { startSec: 1.4587, endSec: 3.4587 },
      ],
    },
    {
      name: "no stream durations, nothing but video and audio: the container's",
      given: {
        durationSec: 4,
        startSec: 0.5,
        videoDurationSec: null,
        audioTracks: [{ codec: "mp2", durationSec: null }],
      },
      spans: [
        { startSec: 0.5, endSec: 4.5 },
        { startSec: 0.5, endSec: 4.5 },
      ],
    },
  ])("$name", ({ given, spans }) => {
    const { probe, used } = usedStreams(given);
    expect(spansOf(probe, used)?.map(rounded)).toEqual(spans);
    expect(needsMeasuring(probe, used)).toBe(false);
  });
});

describe("on committed fixture probes", () => {
  const committed = (stem: string) => {
    const json = JSON.parse(readFileSync(join(PROBES, `${stem}.json`), "utf8"));
    const probe = parseProbe(json)._unsafeUnwrap();
    const used = [probe.video, probe.audio].filter((s): s is ProbeStream => s !== undefined);
    return { probe, used };
  };

  it.each<{ stem: string; spans: StreamSpan[] | undefined }>([
    // Matroska: DURATION tags are the streams' ends; the 65 s subtitle is not counted.
    {
      stem: "subtitle-outlasts",
      spans: [
        { startSec: 0.021, endSec: 3.021 },
        { startSec: 0, endSec: 3.021 },
      ],
    },
    // MPEG-TS: the data stream's 30 s are not counted either.
    {
      stem: "data-stream",
      spans: [
        { startSec: 1.48, endSec: 4.48 },
        { startSec: 1.458667, endSec: 4.210667 },
      ],
    },
    { stem: "fragmented-unknown-duration", spans: undefined },
    { stem: "raw-h264", spans: undefined },
    { stem: "raw-mpeg2", spans: undefined },
  ])("$stem → $spans", ({ stem, spans }) => {
    const { probe, used } = committed(stem);
    const found = spansOf(probe, used);
    expect(found?.map(rounded)).toEqual(spans);
  });
});

describe("needsMeasuring: the probe states nothing usable", () => {
  it.each<{ name: string; given: FakeInput }>([
    { name: "raw H.264 (no container)", given: { formatName: "h264", durationSec: null, audioCodec: null } },
    {
      name: "MPEG-2 elementary stream with a bitrate-guessed duration",
      given: { formatName: "mpegvideo", durationSec: 12.5, audioCodec: null },
    },
    {
      name: "no stream durations and a subtitle: the container's could be the subtitle's",
      given: {
        durationSec: 65,
        videoDurationSec: null,
        audioTracks: [{ codec: "aac", durationSec: null }],
        subtitleEndSec: 65,
      },
    },
    { name: "no duration anywhere", given: { durationSec: null } },
  ])("$name", ({ given }) => {
    const { probe, used } = usedStreams(given);
    expect(spansOf(probe, used)).toBeUndefined();
    expect(needsMeasuring(probe, used)).toBe(true);
  });

  it("measured spans answer for the streams the probe cannot", () => {
    const { probe, used } = usedStreams({ formatName: "h264", durationSec: null, audioCodec: null });
    const measured = new Map([[0, { startSec: 0, endSec: 4 }]]);
    expect(spansOf(probe, used, measured)).toEqual([{ startSec: 0, endSec: 4 }]);
  });
});
