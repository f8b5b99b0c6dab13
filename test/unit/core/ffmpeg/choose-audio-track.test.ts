// chooseAudioTrack: the default track, else the first; undecodable tracks left out with a note, never sinking the video.
import { describe, expect, it } from "vitest";
import { chooseAudioTrack } from "../../../../core/ffmpeg/choose-audio-track.ts";
import { type FakeAudioTrack, fakeProbe } from "./ffprobe-json.ts";

// Stream 0 is the video; audio tracks are streams 1, 2, 3.
const choose = (audioTracks: FakeAudioTrack[], undecodable: [number, string][] = []) =>
  chooseAudioTrack(fakeProbe({ audioTracks }).streams, new Map(undecodable));

describe("chooseAudioTrack", () => {
  it.each<{ name: string; tracks: FakeAudioTrack[]; index: number | undefined }>([
    { name: "one track", tracks: [{ codec: "aac", isDefault: true }], index: 1 },
    {
      name: "the second flagged default",
      tracks: [{ codec: "aac" }, { codec: "aac", isDefault: true }],
      index: 2,
    },
    { name: "no default flag: the first", tracks: [{ codec: "aac" }, { codec: "ac3" }], index: 1 },
    {
      name: "two flagged default: the first of them",
      tracks: [{ codec: "aac" }, { codec: "ac3", isDefault: true }, { codec: "mp3", isDefault: true }],
      index: 2,
    },
    { name: "no audio", tracks: [], index: undefined },
  ])("$name → stream $index, no notes", ({ tracks, index }) => {
    const choice = choose(tracks);
    expect(choice.track?.index).toBe(index);
    expect(choice.notes).toEqual([]);
  });

  it.each<{
    name: string;
    tracks: FakeAudioTrack[];
    undecodable?: [number, string][];
    index: number | undefined;
    notes: string[];
  }>([
    {
      name: "the only track has a codec FFmpeg does not know",
      tracks: [{ codec: "unknown", isDefault: true }],
      index: undefined,
      notes: [
        "audio track 1 of 1 (unknown codec) could not be decoded: FFmpeg does not recognise its codec; " +
          "the output is video-only",
      ],
    },
    {
      name: "the default track's decoder would not start",
      tracks: [{ codec: "aac" }, { codec: "smv", isDefault: true }],
      undecodable: [[2, "this FFmpeg has no smv decoder"]],
      index: 1,
      notes: [
        "audio track 2 of 2 (smv) could not be decoded: this FFmpeg has no smv decoder; " +
          "the output uses audio track 1",
      ],
    },
    {
      name: "every track fails",
      tracks: [{ codec: "unknown" }, { codec: "smv", isDefault: true }],
      undecodable: [[2, "this FFmpeg has no smv decoder"]],
      index: undefined,
      notes: [
        "audio track 1 of 2 (unknown codec) could not be decoded: FFmpeg does not recognise its codec; " +
          "the output is video-only",
        "audio track 2 of 2 (smv) could not be decoded: this FFmpeg has no smv decoder; the output is video-only",
      ],
    },
  ])("$name → stream $index, with notes", ({ tracks, undecodable, index, notes }) => {
    const choice = choose(tracks, undecodable);
    expect(choice.track?.index).toBe(index);
    expect(choice.notes).toEqual(notes);
  });
});
