// Given / when / then table for the idle poll delay, and the idle Redis command budget it implies.
import { describe, expect, it } from "vitest";
import {
  DEFAULT_POLL_DELAY,
  decidePollDelay,
  type PollDelayConfig,
  type PollDelayDecision,
  type PollDelayInput,
  pollDelayConfig,
} from "../../../core/decide-poll-delay.ts";

const CONFIG = pollDelayConfig({ minMs: 250, maxMs: 2_000, jitterRatio: 0.2 });
const idle: PollDelayInput = {
  justFinishedJob: false,
  workHinted: false,
  consecutiveEmptyPolls: 0,
  jitter: 0,
};

const cases: { name: string; given: Partial<PollDelayInput>; then: PollDelayDecision }[] = [
  { name: "before the first poll", given: {}, then: { delayMs: 0, reason: "first-poll" } },
  {
    name: "a job just finished",
    given: { justFinishedJob: true, consecutiveEmptyPolls: 9 },
    then: { delayMs: 0, reason: "job-finished" },
  },
  {
    name: "work was hinted after many empty polls",
    given: { workHinted: true, consecutiveEmptyPolls: 9 },
    then: { delayMs: 0, reason: "work-hinted" },
  },
  { name: "1 empty poll", given: { consecutiveEmptyPolls: 1 }, then: { delayMs: 250, reason: "backoff" } },
  { name: "2 empty polls", given: { consecutiveEmptyPolls: 2 }, then: { delayMs: 500, reason: "backoff" } },
  { name: "3 empty polls", given: { consecutiveEmptyPolls: 3 }, then: { delayMs: 1_000, reason: "backoff" } },
  { name: "4 empty polls", given: { consecutiveEmptyPolls: 4 }, then: { delayMs: 2_000, reason: "backoff" } },
  {
    name: "5 empty polls stay at max",
    given: { consecutiveEmptyPolls: 5 },
    then: { delayMs: 2_000, reason: "backoff" },
  },
  {
    name: "a very long idle streak stays at max",
    given: { consecutiveEmptyPolls: 10_000 },
    then: { delayMs: 2_000, reason: "backoff" },
  },
  {
    name: "half jitter lengthens by 10 %",
    given: { consecutiveEmptyPolls: 1, jitter: 0.5 },
    then: { delayMs: 275, reason: "backoff" },
  },
  {
    name: "near-full jitter at max lengthens by up to 20 %",
    given: { consecutiveEmptyPolls: 6, jitter: 0.99 },
    then: { delayMs: 2_396, reason: "backoff" },
  },
];

describe("decidePollDelay", () => {
  it.each(cases)("given $name, then wait $then.delayMs ms", ({ given, then }) => {
    expect(decidePollDelay({ ...idle, ...given }, CONFIG)).toStrictEqual(then);
  });

  it.each([
    { name: "jitter 1", given: { jitter: 1 } },
    { name: "negative jitter", given: { jitter: -0.1 } },
    { name: "NaN jitter", given: { jitter: Number.NaN } },
    { name: "negative empty polls", given: { consecutiveEmptyPolls: -1 } },
  ])("throws on $name", ({ given }) => {
    expect(() => decidePollDelay({ ...idle, ...given }, CONFIG)).toThrow(RangeError);
  });
});

// Simulates an idle worker: it polls at t = 0, every poll finds nothing, and it waits what the policy says.
const idlePollsInFirstMinute = (config: PollDelayConfig, jitter: number): number => {
  let polls = 0;
  for (let t = 0; t < 60_000; ) {
    polls += 1;
    t += decidePollDelay({ ...idle, consecutiveEmptyPolls: polls, jitter }, config).delayMs;
  }
  return polls;
};

describe("idle cost", () => {
  // One claim (a single EVALSHA) per poll, so polls per minute = Redis commands per minute.
  it.each([0, 0.5, 0.999])(
    "an idle worker with the default policy and jitter %s polls at most 60 times a minute",
    (jitter) => {
      expect(idlePollsInFirstMinute(DEFAULT_POLL_DELAY, jitter)).toBeLessThanOrEqual(60);
    },
  );

  it("the bound can fail: a policy capped at 500 ms polls more than 60 times a minute", () => {
    expect(
      idlePollsInFirstMinute(pollDelayConfig({ minMs: 100, maxMs: 500, jitterRatio: 0 }), 0),
    ).toBeGreaterThan(60);
  });
});

describe("pollDelayConfig", () => {
  it("defaults to 250 ms doubling to 2 s", () => {
    expect(pollDelayConfig()).toStrictEqual(DEFAULT_POLL_DELAY);
    expect(DEFAULT_POLL_DELAY).toMatchObject({ minMs: 250, maxMs: 2_000 });
  });

  it.each<{ name: string; overrides: Partial<PollDelayConfig> }>([
    { name: "a zero minimum", overrides: { minMs: 0 } },
    { name: "a maximum below the minimum", overrides: { minMs: 1_000, maxMs: 500 } },
    { name: "a negative jitter ratio", overrides: { jitterRatio: -0.1 } },
    { name: "a jitter ratio above 1", overrides: { jitterRatio: 1.5 } },
  ])("throws on $name", ({ overrides }) => {
    expect(() => pollDelayConfig(overrides)).toThrow(RangeError);
  });
});
