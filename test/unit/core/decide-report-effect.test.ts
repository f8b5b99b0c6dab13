// Given / when / then table: what a worker's report does to its machine in single-job and pool mode.
import { describe, expect, it } from "vitest";
import { decideReportEffect, type WorkerReportOutcome } from "../../../core/decide-report-effect.ts";

const base: WorkerReportOutcome = {
  spawnMode: "single-job",
  reportKind: "completed",
  machineId: "m_a",
  applied: true,
  recordedCostUsd: 0.002,
};

describe("decideReportEffect", () => {
  it.each([
    [{}, { kind: "release", machineId: "m_a", costUsd: 0.002 }],
    [{ applied: false }, { kind: "none" }],
    [
      { reportKind: "failed", recordedCostUsd: null },
      { kind: "release", machineId: "m_a", costUsd: 0 },
    ],
    [{ reportKind: "failed", applied: false }, { kind: "none" }],
    [
      { reportKind: "progress", recordedCostUsd: null },
      { kind: "heartbeat", machineId: "m_a" },
    ],
    [{ reportKind: "progress", applied: false }, { kind: "none" }],
    [{ spawnMode: "pool" }, { kind: "none" }],
    [{ spawnMode: "pool", reportKind: "progress" }, { kind: "none" }],
  ] as const)("%o → %o", (given, then) => {
    expect(decideReportEffect({ ...base, ...given })).toEqual(then);
  });
});
