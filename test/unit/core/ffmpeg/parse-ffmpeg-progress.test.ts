// parseFfmpegProgress, progressPercent and shouldReportProgress: given ffmpeg 5.1's -progress text, when parsed
// (whole or in arbitrary chunks), then the blocks, percents and report decisions.
import { describe, expect, it } from "vitest";
import {
  DEFAULT_PROGRESS_THROTTLE,
  type FfmpegProgress,
  type ProgressReportInput,
  parseFfmpegProgress,
  progressPercent,
  shouldReportProgress,
} from "../../../../core/ffmpeg/parse-ffmpeg-progress.ts";

// Verbatim shape of ffmpeg 5.1 output (`-progress pipe:1` with libx264 to null).
const block = (fields: Record<string, string>, progress: "continue" | "end") =>
  [
    "frame=90",
    "fps=0.00",
    "stream_0_0_q=-1.0",
    "bitrate=N/A",
    "total_size=N/A",
    ...Object.entries(fields).map(([k, v]) => `${k}=${v}`),
    "dup_frames=0",
    "drop_frames=0",
    `progress=${progress}`,
    "",
  ].join("\n");

const START = block(
  { out_time_us: "0", out_time_ms: "0", out_time: "00:00:00.000000", speed: "   0x" },
  "continue",
);
const MIDDLE = block(
  { out_time_us: "4100000", out_time_ms: "4100000", out_time: "00:00:04.100000", speed: "1.23x" },
  "continue",
);
const END = block(
  { out_time_us: "10000000", out_time_ms: "10000000", out_time: "00:00:10.000000", speed: "25.9x" },
  "end",
);

describe("parseFfmpegProgress", () => {
  const cases: { name: string; given: string; then: { blocks: FfmpegProgress[]; rest: string } }[] = [
    { name: "nothing yet", given: "", then: { blocks: [], rest: "" } },
    {
      name: "a run's first block: time 0, speed 0",
      given: START,
      then: { blocks: [{ outTimeMs: 0, speed: 0, ended: false }], rest: "" },
    },
    {
      name: "three blocks, the last one ends the run",
      given: START + MIDDLE + END,
      then: {
        blocks: [
          { outTimeMs: 0, speed: 0, ended: false },
          { outTimeMs: 4100, speed: 1.23, ended: false },
          { outTimeMs: 10_000, speed: 25.9, ended: true },
        ],
        rest: "",
      },
    },
    {
      name: "N/A before the first frame",
      given: "out_time_us=N/A\nout_time_ms=N/A\nout_time=N/A\nspeed=N/A\nprogress=continue\n",
      then: { blocks: [{ outTimeMs: null, speed: null, ended: false }], rest: "" },
    },
    {
      name: "a negative start time (before the first packet) reads as not yet",
      given: "out_time_us=-1234\nout_time=-00:00:00.001234\nprogress=continue\n",
      then: { blocks: [{ outTimeMs: null, speed: null, ended: false }], rest: "" },
    },
    {
      name: "only the clock text: used as the fallback",
      given: "out_time=01:02:03.500000\nprogress=continue\n",
      then: { blocks: [{ outTimeMs: 3_723_500, speed: null, ended: false }], rest: "" },
    },
    {
      name: "a block still being written stays in rest",
      given: `${MIDDLE}frame=120\nout_time_us=500`,
      then: {
        blocks: [{ outTimeMs: 4100, speed: 1.23, ended: false }],
        rest: "frame=120\nout_time_us=500",
      },
    },
    {
      name: "a progress line without its newline is not a block yet",
      given: "out_time_us=1000000\nprogress=contin",
      then: { blocks: [], rest: "out_time_us=1000000\nprogress=contin" },
    },
    {
      name: "CRLF line ends",
      given: "out_time_us=2000000\r\nspeed=2x\r\nprogress=end\r\n",
      then: { blocks: [{ outTimeMs: 2000, speed: 2, ended: true }], rest: "" },
    },
  ];

  it.each(cases)("$name", ({ given, then }) => {
    expect(parseFfmpegProgress(given)).toEqual(then);
  });

  it.each([1, 2, 3, 7, 50])("gives the same blocks when fed in %i-byte chunks", (size) => {
    const text = START + MIDDLE + END;
    const blocks: FfmpegProgress[] = [];
    let rest = "";
    for (let i = 0; i < text.length; i += size) {
      const parsed = parseFfmpegProgress(rest + text.slice(i, i + size));
      blocks.push(...parsed.blocks);
      rest = parsed.rest;
    }
    expect(rest).toBe("");
    expect(blocks).toEqual(parseFfmpegProgress(text).blocks);
    expect(blocks).toHaveLength(3);
  });
});

describe("progressPercent", () => {
  it.each<{ outTimeMs: number | null; durationSec: number; then: number }>([
    { outTimeMs: null, durationSec: 10, then: 0 },
    { outTimeMs: 0, durationSec: 10, then: 0 },
    { outTimeMs: 4100, durationSec: 10, then: 41 },
    { outTimeMs: 9999, durationSec: 10, then: 99 },
    { outTimeMs: 10_000, durationSec: 10, then: 100 },
    // Audio padding can run past the probed duration: never above 100.
    { outTimeMs: 10_500, durationSec: 10, then: 100 },
    { outTimeMs: 1000, durationSec: 0, then: 0 },
  ])("$outTimeMs ms of $durationSec s is $then %", ({ outTimeMs, durationSec, then }) => {
    expect(progressPercent(outTimeMs, durationSec)).toBe(then);
  });
});

describe("shouldReportProgress", () => {
  const at = 1_700_000_000_000;
  const cases: { name: string; given: ProgressReportInput; then: boolean }[] = [
    { name: "first report at 0 %: nothing to say", given: { percent: 0, now: at, last: null }, then: false },
    { name: "first report at 1 %", given: { percent: 1, now: at, last: null }, then: true },
    {
      name: "moved 5 % but only 1 s later",
      given: { percent: 15, now: at + 1_000, last: { percent: 10, at } },
      then: false,
    },
    {
      name: "2 s later, moved 1 %",
      given: { percent: 11, now: at + 2_000, last: { percent: 10, at } },
      then: true,
    },
    {
      name: "10 s later, still the same percent",
      given: { percent: 10, now: at + 10_000, last: { percent: 10, at } },
      then: false,
    },
    {
      name: "never backwards",
      given: { percent: 9, now: at + 10_000, last: { percent: 10, at } },
      then: false,
    },
  ];
  it.each(cases)("$name → $then", ({ given, then }) => {
    expect(shouldReportProgress(given, DEFAULT_PROGRESS_THROTTLE)).toBe(then);
  });
});
