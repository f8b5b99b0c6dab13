// Storage events whose intake failed for a passing reason come back after a growing, capped delay.
import { describe, expect, it } from "vitest";
import { eventRetryDelaySeconds } from "../../../core/decide-event-retry.ts";

describe("eventRetryDelaySeconds", () => {
  it.each([
    [1, 10],
    [2, 20],
    [3, 40],
    [5, 160],
    [6, 300],
    [50, 300],
    [0, 10],
  ])("attempt %d → %d s", (attempts, seconds) => {
    expect(eventRetryDelaySeconds(attempts)).toBe(seconds);
  });
});
