// measure-packets: the ffprobe argv, and folding its CSV (in arbitrary chunks) into each stream's span.
import { describe, expect, it } from "vitest";
import {
  EMPTY_TALLY,
  measureArgs,
  measuredSpans,
  measureTimeLimitMs,
  tallyPackets,
} from "../../../../core/ffmpeg/measure-packets.ts";

const measure = (...chunks: string[]) => measuredSpans(chunks.reduce(tallyPackets, EMPTY_TALLY));

describe("measureArgs", () => {
  it("lists every packet's stream, timestamps and duration as CSV, with the probe's input options", () => {
    expect(measureArgs("/in/x.mpg", ["-formatprobesize", "67108864"])).toEqual([
      ...["-v", "error", "-formatprobesize", "67108864"],
      ...["-show_entries", "packet=stream_index,pts_time,dts_time,duration_time"],
      ...["-of", "csv=p=0", "/in/x.mpg"],
    ]);
  });
});

describe("tallyPackets + measuredSpans", () => {
  it("spans each stream from its first timestamp to its last packet's end (pts, B-frames out of order)", () => {
    const csv = [
      "0,0.080000,0.000000,0.040000",
      "1,0.000000,0.000000,0.021333",
      "0,0.200000,0.040000,0.040000",
      "0,0.120000,0.080000,0.040000",
      "1,0.021333,0.021333,0.021333",
      "",
    ].join("\n");
    expect(measure(csv)).toEqual(
      new Map([
        [0, { startSec: 0.08, endSec: 0.24 }],
        [1, { startSec: 0, endSec: 0.042666 }],
      ]),
    );
  });

  it("falls back to dts, and to summed durations when packets carry no timestamps (raw H.264)", () => {
    const dtsOnly = "0,N/A,0.000000,0.040000\n0,N/A,0.040000,0.040000\n";
    expect(measure(dtsOnly).get(0)).toEqual({ startSec: 0, endSec: 0.08 });
    const raw = "0,N/A,N/A,0.040000\n".repeat(100);
    expect(measure(raw).get(0)).toEqual({ startSec: 0, endSec: 4 });
  });

  it("reads lines split across chunks, and a last line without a newline", () => {
    expect(measure("0,1.0000", "00,N/A,0.5\n0,2.0,N/A,0.", "5")).toEqual(
      new Map([[0, { startSec: 1, endSec: 2.5 }]]),
    );
  });

  it("ignores rows that are not packets, and streams without a length", () => {
    expect(measure("side_data,x\n\n2,N/A,N/A,N/A\n")).toEqual(new Map());
  });
});

describe("measureTimeLimitMs", () => {
  it("gives a minute plus a second per 10 MB, within the ceiling", () => {
    expect(measureTimeLimitMs(0, 6e6)).toBe(60_000);
    expect(measureTimeLimitMs(20 * 1024 ** 3, 6 * 3600 * 1000)).toBe(
      60_000 + Math.ceil((20 * 1024 ** 3) / 10_000),
    );
    expect(measureTimeLimitMs(20 * 1024 ** 3, 120_000)).toBe(120_000);
  });
});
