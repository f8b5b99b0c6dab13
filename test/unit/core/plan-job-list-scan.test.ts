// How many index entries a GET /api/jobs request reads: its page without a filter, a bounded stretch with one.
import { describe, expect, it } from "vitest";
import { planJobListScan } from "../../../core/plan-job-list-scan.ts";

describe("planJobListScan", () => {
  it.each([
    [1, false, 1],
    [20, false, 20],
    [100, false, 100],
    [1, true, 10],
    [20, true, 200],
    [100, true, 1000],
  ])("limit %i, filtered %s → %i entries", (limit, filtered, entries) => {
    expect(planJobListScan(limit, filtered)).toBe(entries);
  });

  it("throws on a limit that is not a positive integer (the edge validates it)", () => {
    expect(() => planJobListScan(0, false)).toThrow(RangeError);
    expect(() => planJobListScan(1.5, true)).toThrow(RangeError);
  });
});
