// Given the store's refusal of a completion, then: delete the outputs uploaded for it, or leave them.
import { describe, expect, it } from "vitest";
import { decideRefusedOutputs } from "../../../core/decide-refused-outputs.ts";
import { type JobRejection, jobRejection } from "../../../core/job-lifecycle/job-rejection.ts";

describe("decideRefusedOutputs", () => {
  it.each<[string, JobRejection, "delete" | "keep"]>([
    ["the job was cancelled first: delete", jobRejection("already-terminal", "cancelled", "x"), "delete"],
    [
      "another attempt completed it: its outputs, keep",
      jobRejection("already-terminal", "completed", "x"),
      "keep",
    ],
    ["failed meanwhile: keep", jobRejection("already-terminal", "failed", "x"), "keep"],
    [
      "the lease was lost (another worker may write the same keys): keep",
      jobRejection("stale-lease", "running", "x"),
      "keep",
    ],
    ["no such job: keep", jobRejection("not-found", "none", "x"), "keep"],
  ])("%s", (_, rejection, then) => {
    expect(decideRefusedOutputs(rejection)).toBe(then);
  });
});
