// Which parts a resumed multipart upload keeps and which it sends again.
import { describe, expect, it } from "vitest";
import { checkPartLayout, partRange, planPartResume } from "../../../core/plan-part-resume.ts";

const MiB = 1024 * 1024;
const layout = { size: 12 * MiB + 5, partSize: 5 * MiB, partCount: 3 };
const part = (partNumber: number, size: number) => ({ partNumber, size, eTag: `e${partNumber}` });

describe("partRange", () => {
  it.each([
    [1, 0, 5 * MiB],
    [2, 5 * MiB, 10 * MiB],
    [3, 10 * MiB, 12 * MiB + 5],
  ])("part %i is bytes [%i, %i)", (n, start, end) => {
    expect(partRange(layout, n)).toEqual({ start, end });
  });

  it.each([0, 4, 1.5])("refuses part %s", (n) => {
    expect(() => partRange(layout, n)).toThrow(RangeError);
  });
});

describe("checkPartLayout", () => {
  it.each([
    [{ size: 10, partSize: 10, partCount: 1 }, true],
    [layout, true],
    [{ size: 12 * MiB, partSize: 5 * MiB, partCount: 2 }, false],
    [{ size: 12 * MiB, partSize: 5 * MiB, partCount: 4 }, false],
    [{ size: 0, partSize: 5 * MiB, partCount: 0 }, false],
    [{ size: 10_001 * MiB, partSize: MiB, partCount: 10_001 }, false],
  ])("%o ok: %s", (candidate, fine) => {
    expect(checkPartLayout(candidate).isOk()).toBe(fine);
  });
});

describe("planPartResume", () => {
  it.each([
    ["nothing stored: send every part", [], [], [1, 2, 3]],
    ["parts 1 and 3 stored", [part(3, 2 * MiB + 5), part(1, 5 * MiB)], [1, 3], [2]],
    ["everything stored", [part(1, 5 * MiB), part(2, 5 * MiB), part(3, 2 * MiB + 5)], [1, 2, 3], []],
    ["a part cut short is sent again", [part(1, 5 * MiB), part(2, 3 * MiB)], [1], [2, 3]],
    ["a part beyond the layout is ignored", [part(4, 5 * MiB)], [], [1, 2, 3]],
  ])("%s", (_name, stored, kept, missing) => {
    const plan = planPartResume(layout, stored);
    expect(plan.kept.map((p) => p.partNumber)).toEqual(kept);
    expect(plan.missing).toEqual(missing);
    expect(plan.keptBytes).toBe(plan.kept.reduce((sum, p) => sum + p.size, 0));
  });
});
