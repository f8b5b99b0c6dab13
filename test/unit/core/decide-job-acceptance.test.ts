// Whether the API takes a new job: the month's budget, then the backlog cap.
import { describe, expect, it } from "vitest";
import { decideJobAcceptance } from "../../../core/decide-job-acceptance.ts";

describe("decideJobAcceptance", () => {
  const limits = { monthlyBudgetUsd: 10, maxPendingJobs: 3, retryAfterMs: 30_000 };
  it.each([
    [{ spentUsd: 0, pendingJobs: 0 }, "accept"],
    [{ spentUsd: 9.99, pendingJobs: 2 }, "accept"],
    [{ spentUsd: 10, pendingJobs: 0 }, "budget-exhausted"],
    [{ spentUsd: 1, pendingJobs: 3 }, "backlog-full"],
  ])("%o → %s", (snapshot, kind) => {
    expect(decideJobAcceptance(snapshot, limits).kind).toBe(kind);
  });
});
