// When a job is split, and its chunks: whole GOPs cut at the keyframes nearest each multiple of the chunk target.
import { describe, expect, it } from "vitest";
import {
  type ChunkSpan,
  planChunks,
  type SplitSettings,
  shouldSplit,
} from "../../../../core/split/plan-chunks.ts";

const SETTINGS: SplitSettings = { splitAfterS: 120, chunkTargetS: 60, segmentS: 4 };
const every = (gopS: number, durationS: number): number[] =>
  Array.from({ length: Math.ceil(durationS / gopS) }, (_, i) => i * gopS);
const spans = (...cuts: number[][]): ChunkSpan[] =>
  cuts.map(([startS, endS], index) => ({ index, startS: startS as number, endS: endS as number }));

describe("shouldSplit", () => {
  it.each([
    ["web-optimized", 121, true],
    ["hls", 3600, true],
    ["mobile", 600, true],
    ["web-optimized", 120, false],
    ["hls", 30, false],
    ["default", 3600, false],
  ] as const)("%s, %d s → %s", (preset, durationS, then) => {
    expect(shouldSplit({ preset, durationS }, SETTINGS)).toBe(then);
  });
});

describe("planChunks", () => {
  it.each([
    {
      name: "keyframes every 2 s: cuts exactly at the multiples",
      durationS: 150,
      keyframeTimesS: every(2, 150),
      then: spans([0, 60], [60, 120], [120, 150]),
    },
    {
      name: "keyframes every 7 s: the nearest one to each multiple",
      durationS: 200,
      keyframeTimesS: every(7, 200), // 56, 63 around 60; 119, 126 around 120; 175, 182 around 180
      then: spans([0, 63], [63, 119], [119, 182], [182, 200]),
    },
    {
      name: "a tie goes to the earlier keyframe",
      durationS: 100,
      keyframeTimesS: [0, 50, 70],
      then: spans([0, 50], [50, 100]),
    },
    {
      name: "sparse keyframes: a multiple nearest an existing cut adds none",
      durationS: 300,
      keyframeTimesS: [0, 100],
      then: spans([0, 100], [100, 300]),
    },
    {
      name: "no keyframe after the start: one chunk",
      durationS: 500,
      keyframeTimesS: [0],
      then: spans([0, 500]),
    },
    {
      name: "unsorted input and keyframes at or past the end are ignored",
      durationS: 130,
      keyframeTimesS: [130, 60, 0, 120, 140, 90],
      then: spans([0, 60], [60, 120], [120, 130]),
    },
  ])("$name", ({ durationS, keyframeTimesS, then }) => {
    expect(planChunks({ durationS, keyframeTimesS }, SETTINGS)).toEqual(then);
  });

  it("covers the whole input with whole-GOP chunks near the target, for an hour at an irregular GOP", () => {
    // GOPs of 1 to 5 s in turn: every multiple of 60 has a keyframe within 2.5 s.
    const keyframeTimesS = [0];
    for (let i = 0; (keyframeTimesS.at(-1) as number) < 3600; i++) {
      keyframeTimesS.push((keyframeTimesS.at(-1) as number) + 1 + (i % 5));
    }
    const chunks = planChunks({ durationS: 3600, keyframeTimesS }, SETTINGS);
    expect(chunks).toHaveLength(60);
    expect(chunks[0]?.startS).toBe(0);
    expect(chunks.at(-1)?.endS).toBe(3600);
    for (const [i, chunk] of chunks.entries()) {
      expect(chunk.index).toBe(i);
      if (i > 0) expect(chunk.startS).toBe(chunks[i - 1]?.endS);
      if (i > 0) expect(keyframeTimesS).toContain(chunk.startS);
      expect(Math.abs(chunk.startS - i * 60)).toBeLessThanOrEqual(2.5);
    }
  });
});
