// decideOutputDuration: the rule for audio that outlasts the video, per preset kind, as a given/then table.
import { describe, expect, it } from "vitest";
import {
  type AudioOverhangRule,
  decideOutputDuration,
  type OutputDuration,
} from "../../../../core/ffmpeg/decide-output-duration.ts";
import type { StreamSpan } from "../../../../core/ffmpeg/stream-spans.ts";

const span = (startSec: number, endSec: number): StreamSpan => ({ startSec, endSec });

describe("decideOutputDuration", () => {
  it.each<{
    name: string;
    video: StreamSpan;
    audio?: StreamSpan;
    clockStartSec?: number;
    rule: AudioOverhangRule;
    then: OutputDuration;
  }>([
    { name: "no audio", video: span(0, 10), rule: "keep-long-audio", then: { durationSec: 10, notes: [] } },
    {
      name: "audio shorter than the video: nothing is cut",
      video: span(0, 10),
      audio: span(0, 6),
      rule: "end-with-video",
      then: { durationSec: 10, notes: [] },
    },
    {
      name: "an AAC tail of 0.05 s is padding, left alone",
      video: span(0, 10),
      audio: span(0, 10.05),
      rule: "keep-long-audio",
      then: { durationSec: 10.05, notes: [] },
    },
    {
      name: "MP4, audio 0.6 s longer: ends with the video",
      video: span(0, 10),
      audio: span(0, 10.6),
      rule: "keep-long-audio",
      then: { durationSec: 10, cutAtSec: 10, notes: [] },
    },
    {
      name: "MP4, 1 s of video over 8 s of audio: the audio is kept",
      video: span(0, 1),
      audio: span(0, 8),
      rule: "keep-long-audio",
      then: {
        durationSec: 8,
        notes: [
          "the video ends at 1.00 s but the audio runs to 8.00 s: the output keeps all of the audio, and players " +
            "hold the last frame",
        ],
      },
    },
    {
      name: "HLS, 1 s of video over 8 s of audio: ends with the video, and says so",
      video: span(0, 1),
      audio: span(0, 8),
      rule: "end-with-video",
      then: {
        durationSec: 1,
        cutAtSec: 1,
        notes: [
          "the video ends at 1.00 s but the audio runs to 8.00 s: HLS ends with the video (players stop where the " +
            "video stops), so the audio after it is cut",
        ],
      },
    },
    {
      name: "HLS, audio 0.6 s longer: cut quietly",
      video: span(0, 10),
      audio: span(0, 10.6),
      rule: "end-with-video",
      then: { durationSec: 10, cutAtSec: 10, notes: [] },
    },
    {
      name: "stream copy never cuts, but says when the audio runs on",
      video: span(0, 1),
      audio: span(0, 8),
      rule: "keep-as-is",
      then: {
        durationSec: 8,
        notes: ["the video ends at 1.00 s but the audio runs to 8.00 s; the copy keeps both as they are"],
      },
    },
    {
      name: "the cut is on ffmpeg's clock, which starts at the input's start_time",
      video: span(1.48, 4.48),
      audio: span(1.4587, 5.2),
      clockStartSec: 1.4587,
      rule: "keep-long-audio",
      then: { durationSec: 3.0213, cutAtSec: 3.0213, notes: [] },
    },
  ])("$name", ({ video, audio, clockStartSec, rule, then }) => {
    const decided = decideOutputDuration({
      video,
      ...(audio !== undefined ? { audio } : {}),
      ...(clockStartSec !== undefined ? { clockStartSec } : {}),
      rule,
    });
    expect(decided.durationSec).toBeCloseTo(then.durationSec, 6);
    expect(decided.cutAtSec === undefined).toBe(then.cutAtSec === undefined);
    if (then.cutAtSec !== undefined) expect(decided.cutAtSec).toBeCloseTo(then.cutAtSec, 6);
    expect(decided.notes).toEqual(then.notes);
  });
});
