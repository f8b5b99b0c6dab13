// How long a client waits between polls of a job.
import { describe, expect, it } from "vitest";
import { DEFAULT_WAIT_DELAY, decideWaitDelay } from "../../../core/decide-wait-delay.ts";

describe("decideWaitDelay", () => {
  it.each([
    ["right after a change", { unchangedPolls: 0, retryAfterMs: null, jitter: 0 }, 500],
    ["backs off", { unchangedPolls: 2, retryAfterMs: null, jitter: 0 }, 1125],
    ["up to the cap", { unchangedPolls: 40, retryAfterMs: null, jitter: 0 }, 5000],
    ["jitter only lengthens", { unchangedPolls: 0, retryAfterMs: null, jitter: 0.5 }, 550],
    ["Retry-After is honoured", { unchangedPolls: 0, retryAfterMs: 2000, jitter: 0 }, 2000],
    ["beyond the cap too", { unchangedPolls: 0, retryAfterMs: 30_000, jitter: 0 }, 30_000],
  ])("%s", (_name, input, expected) => {
    expect(decideWaitDelay(input, DEFAULT_WAIT_DELAY)).toBe(expected);
  });

  it("refuses nonsense", () => {
    expect(() => decideWaitDelay({ unchangedPolls: 0, retryAfterMs: null, jitter: 1 })).toThrow(RangeError);
    expect(() => decideWaitDelay({ unchangedPolls: -1, retryAfterMs: null, jitter: 0 })).toThrow(RangeError);
  });
});
