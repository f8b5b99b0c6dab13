// Given / when / then tables for the split decision and the chunk plan.
import { describe, expect, it } from "vitest";
import type { PresetName } from "../../../../core/preset-names.ts";
import {
  type ChunkSpan,
  planChunks,
  planGridChunks,
  SPLIT_SEGMENT_S,
  type SplitSettings,
  shouldSplit,
  splitSettings,
} from "../../../../core/split/plan-chunks.ts";
import { parseKeyframeTimes } from "../../../../core/split/scan-keyframes.ts";

const settings: SplitSettings = { splitAfterS: 120, chunkTargetS: 60, segmentS: 4 };
const every = (stepS: number, untilS: number): number[] =>
  Array.from({ length: Math.floor(untilS / stepS) + 1 }, (_, i) => Number((i * stepS).toFixed(6)));
const spans = (chunks: readonly ChunkSpan[]) => chunks.map((c) => [c.startS, c.endS]);

describe("splitSettings", () => {
  it.each([
    [60, 60],
    [61, 60],
    [62, 64],
    [1, 4],
    [0.5, 4],
    [10, 12],
  ])("a chunk of %s s is rounded to %s s (a multiple of the 4 s segment)", (chunkS, expected) => {
    expect(splitSettings({ splitAfterS: 120, chunkS }).chunkTargetS).toBe(expected);
  });
  it("takes the HLS preset's segment length", () => {
    expect(SPLIT_SEGMENT_S).toBe(4);
    expect(splitSettings({ splitAfterS: 8, chunkS: 4 })).toEqual({
      splitAfterS: 8,
      chunkTargetS: 4,
      segmentS: 4,
    });
  });
  it("refuses nonsense", () => {
    expect(() => splitSettings({ splitAfterS: 120, chunkS: 0 })).toThrow(RangeError);
    expect(() => splitSettings({ splitAfterS: -1, chunkS: 60 })).toThrow(RangeError);
  });
});

describe("shouldSplit", () => {
  const cases: { preset: PresetName; durationS: number; s?: Partial<SplitSettings>; split: boolean }[] = [
    { preset: "web-optimized", durationS: 600, split: true },
    { preset: "hls", durationS: 600, split: true },
    { preset: "mobile", durationS: 121, split: true },
    { preset: "web-optimized", durationS: 120, split: false }, // not longer than the threshold
    { preset: "default", durationS: 3600, split: false }, // stream copy is already fast
    { preset: "web-optimized", durationS: 600, s: { splitAfterS: 0 }, split: false }, // 0 turns it off
    // Longer than the threshold but not one and a half chunks: one chunk would only add a stitch.
    { preset: "web-optimized", durationS: 80, s: { splitAfterS: 30 }, split: false },
    { preset: "web-optimized", durationS: 91, s: { splitAfterS: 30 }, split: true },
  ];
  it.each(cases)("$preset of $durationS s → $split", ({ preset, durationS, s, split }) => {
    expect(shouldSplit({ preset, durationS }, { ...settings, ...s })).toBe(split);
  });
});

describe("planChunks", () => {
  it("cuts at keyframes on the chunk grid when the source has them (2 s GOPs)", () => {
    const chunks = planChunks({ durationS: 600, keyframeTimesS: every(2, 600) }, settings);
    expect(chunks).toHaveLength(10);
    expect(chunks[0]).toEqual({ index: 0, startS: 0, endS: 60 });
    expect(chunks[9]).toEqual({ index: 9, startS: 540, endS: 600 });
  });
  it("takes the keyframe nearest each multiple when none is on it", () => {
    const keyframeTimesS = [0, 2.5, 58.3, 61, 118.9, 121.2, 150];
    expect(spans(planChunks({ durationS: 200, keyframeTimesS }, settings))).toEqual([
      [0, 61],
      [61, 118.9],
      [118.9, 200],
    ]);
  });
  it("joins a tail shorter than half a chunk to the chunk before it", () => {
    expect(
      spans(planChunks({ durationS: 20.5, keyframeTimesS: every(1, 20) }, { ...settings, chunkTargetS: 4 })),
    ).toEqual([
      [0, 4],
      [4, 8],
      [8, 12],
      [12, 16],
      [16, 20.5],
    ]);
    expect(spans(planChunks({ durationS: 145, keyframeTimesS: every(2, 145) }, settings))).toEqual([
      [0, 60],
      [60, 145],
    ]);
  });
  it("skips a boundary whose nearest keyframe is the previous one (GOPs longer than a chunk)", () => {
    expect(spans(planChunks({ durationS: 300, keyframeTimesS: [0, 100, 200] }, settings))).toEqual([
      [0, 100],
      [100, 200],
      [200, 300],
    ]);
  });
  it("is one chunk when the source has no keyframe but the first", () => {
    expect(spans(planChunks({ durationS: 300, keyframeTimesS: [0] }, settings))).toEqual([[0, 300]]);
  });
  it("ignores keyframe times out of range or out of order", () => {
    expect(spans(planChunks({ durationS: 130, keyframeTimesS: [140, 60, -1, 0, 120] }, settings))).toEqual([
      [0, 60],
      [60, 130],
    ]);
  });
  it("is empty for an input without duration", () => {
    expect(planChunks({ durationS: 0, keyframeTimesS: [0] }, settings)).toEqual([]);
  });
  it("covers [0, duration) with contiguous, non-empty chunks for irregular keyframes", () => {
    const keyframeTimesS = every(0.7, 1000).map((t, i) => t + (i % 3) * 0.1);
    const chunks = planChunks({ durationS: 1000, keyframeTimesS }, settings);
    expect(chunks[0]?.startS).toBe(0);
    expect(chunks.at(-1)?.endS).toBe(1000);
    chunks.forEach((c, i) => {
      expect(c.index).toBe(i);
      expect(c.endS).toBeGreaterThan(c.startS);
      if (i > 0) expect(c.startS).toBe(chunks[i - 1]?.endS);
    });
  });
});

describe("planGridChunks (HLS)", () => {
  it("cuts at exact multiples of the chunk length, whatever the keyframes, with planChunks' tail rule", () => {
    expect(spans(planGridChunks(600, settings))).toEqual(
      Array.from({ length: 10 }, (_, i) => [i * 60, i * 60 + 60]),
    );
    expect(spans(planGridChunks(145, settings))).toEqual([
      [0, 60],
      [60, 145],
    ]);
    expect(spans(planGridChunks(151, settings))).toEqual([
      [0, 60],
      [60, 120],
      [120, 151],
    ]);
    // Exactly half a chunk left over stays with the chunk before it, as in planChunks.
    expect(spans(planGridChunks(150, settings))).toEqual([
      [0, 60],
      [60, 150],
    ]);
  });

  it("is one chunk for a short input and nothing for an input without duration", () => {
    expect(spans(planGridChunks(70, settings))).toEqual([[0, 70]]);
    expect(planGridChunks(0, settings)).toEqual([]);
  });
});

describe("parseKeyframeTimes", () => {
  it("keeps keyframe packets only, on the output's clock, sorted, without repeats", () => {
    const csv = "1.400000,K_\n1.433333,__\n3.400000,K_\nN/A,K_\n\n2.400000,K_\n3.400000,K_\n";
    expect(parseKeyframeTimes(csv, 1.4)).toEqual([0, 1, 2]);
    expect(parseKeyframeTimes("0.000000,K_\n0.033333,__\n")).toEqual([0]);
  });
});
