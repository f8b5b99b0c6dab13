// spotUndecodableStream / audioToDropAfter: which failed runs mean "plan again without this audio track".
import { describe, expect, it } from "vitest";
import { audioToDropAfter, spotUndecodableStream } from "../../../../core/ffmpeg/spot-undecodable-stream.ts";
import { fakeProbe } from "./ffprobe-json.ts";

describe("spotUndecodableStream", () => {
  it.each<{ line: string; then: { index: number; reason: string } | undefined }>([
    {
      line: "Decoder (codec smv) not found for input stream #0:1",
      then: { index: 1, reason: "this FFmpeg has no smv decoder" },
    },
    {
      line: "Error while opening decoder for input stream #0:2 : Invalid data found when processing input",
      then: { index: 2, reason: "its decoder would not start (Invalid data found when processing input)" },
    },
    { line: "moov atom not found", then: undefined },
    { line: "Decoder (codec smv) not found for input stream #1:1", then: undefined },
  ])("$line", ({ line, then }) => {
    expect(spotUndecodableStream(["Guessed Channel Layout for Input Stream #0.1 : stereo", line])).toEqual(
      then,
    );
  });
});

describe("audioToDropAfter", () => {
  const probe = fakeProbe({ audioTracks: [{ codec: "aac" }, { codec: "smv", isDefault: true }] });
  const noDecoder = ["Decoder (codec smv) not found for input stream #0:2"];

  it("the chosen (default) track failed: drop it", () => {
    expect(audioToDropAfter(probe, new Map(), noDecoder)).toEqual({
      index: 2,
      reason: "this FFmpeg has no smv decoder",
    });
  });

  it("a track the plan did not use, or another failure: the job fails as it is", () => {
    expect(audioToDropAfter(probe, new Map([[2, "gone"]]), noDecoder)).toBeUndefined();
    expect(audioToDropAfter(probe, new Map(), ["Conversion failed!"])).toBeUndefined();
    expect(
      audioToDropAfter(probe, new Map(), ["Decoder (codec h264) not found for input stream #0:0"]),
    ).toBeUndefined();
  });
});
