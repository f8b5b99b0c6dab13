// readableStderr: ffmpeg's and ffprobe's last stderr lines as one message, each line its own clause.
import { describe, expect, it } from "vitest";
import { readableStderr } from "../../../../core/ffmpeg/readable-stderr.ts";

describe("readableStderr", () => {
  it.each<{ name: string; lines: string[]; inputPath?: string; then: string }>([
    {
      name: "demuxer tag and the input path taken off, lines kept apart",
      lines: [
        "[mov,mp4,m4a,3gp,3g2,mj2 @ 0x55d1] moov atom not found",
        "/w/j/input.mp4: Invalid data found when processing input",
      ],
      inputPath: "/w/j/input.mp4",
      then: "moov atom not found; Invalid data found when processing input",
    },
    {
      name: 'no input path: colons inside a line stay (a blank path once ate the first ": ")',
      lines: [
        "Guessed Channel Layout for Input Stream #0.1 : stereo",
        "Decoder (codec smv) not found for input stream #0:1",
      ],
      then: "Guessed Channel Layout for Input Stream #0.1 : stereo; Decoder (codec smv) not found for input stream #0:1",
    },
    {
      name: "a carriage return separates two messages on one line",
      lines: ["[h264 @ 0x1] co located POCs unavailable\r[h264 @ 0x2] mmco: unref short failure"],
      then: "co located POCs unavailable; mmco: unref short failure",
    },
    {
      name: "repeats and repeat notices dropped, nested tags taken off",
      lines: [
        "[aac @ 0x1] Audio object type 42 is not implemented.",
        "    Last message repeated 2 times",
        "[aac @ 0x1] Audio object type 42 is not implemented.",
        "[swscaler @ 0x1] [swscaler @ 0x2] deprecated pixel format used",
      ],
      then: "Audio object type 42 is not implemented.; deprecated pixel format used",
    },
    { name: "nothing", lines: ["", "   "], then: "" },
  ])("$name", ({ lines, inputPath, then }) => {
    expect(readableStderr(lines, inputPath)).toBe(then);
  });
});
