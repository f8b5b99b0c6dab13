// Given / when / then table: a worker's reported usage is capped by its machine's price for the time it can have run.
import { describe, expect, it } from "vitest";
import { boundReportedUsage } from "../../../core/bound-reported-usage.ts";

const PER_SECOND = 0.0000248; // performance-2x-4096

describe("boundReportedUsage", () => {
  it.each([
    {
      name: "an honest report passes unchanged",
      reported: { costUsd: 0.000248, machineSeconds: 10 },
      elapsedMs: 10_500,
      then: { costUsd: 0.000248, machineSeconds: 10 },
    },
    {
      name: "a huge cost is capped at the price of the elapsed time (plus a second of slack)",
      reported: { costUsd: 1000, machineSeconds: 10 },
      elapsedMs: 9_000,
      then: { costUsd: 0.000248, machineSeconds: 10 },
    },
    {
      name: "machine seconds past the elapsed time are capped too",
      reported: { costUsd: 0, machineSeconds: 86_400 },
      elapsedMs: 4_000,
      then: { costUsd: 0, machineSeconds: 5 },
    },
    {
      name: "a report timed before the claim (clock skew) may still claim the slack",
      reported: { costUsd: 1, machineSeconds: 1 },
      elapsedMs: -5_000,
      then: { costUsd: 0, machineSeconds: 0 },
    },
  ])("$name", ({ reported, elapsedMs, then }) => {
    expect(boundReportedUsage(reported, { usdPerSecond: PER_SECOND, elapsedMs })).toEqual(then);
  });
});
