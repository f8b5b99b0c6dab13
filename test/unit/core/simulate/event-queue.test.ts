// The event queue pops in time order, ties in the order they were pushed, through growth and interleaved pops.
import { describe, expect, it } from "vitest";
import { EventQueue, type SimEvent } from "../../../../core/simulate/event-queue.ts";
import { mulberry32 } from "../../../../core/simulate/prng.ts";

const drain = (queue: EventQueue): SimEvent[] => {
  const out: SimEvent[] = [];
  const into: SimEvent = { time: 0, kind: 0, a: 0, b: 0 };
  while (queue.pop(into)) out.push({ ...into });
  return out;
};

describe("EventQueue", () => {
  it("pops the earliest first, equal times in push order", () => {
    const queue = new EventQueue();
    queue.push(5, 1, 10);
    queue.push(1, 2, 20);
    queue.push(5, 3, 30, 7);
    queue.push(0, 4, 40);
    queue.push(5, 5, 50);
    expect(drain(queue)).toEqual([
      { time: 0, kind: 4, a: 40, b: 0 },
      { time: 1, kind: 2, a: 20, b: 0 },
      { time: 5, kind: 1, a: 10, b: 0 },
      { time: 5, kind: 3, a: 30, b: 7 },
      { time: 5, kind: 5, a: 50, b: 0 },
    ]);
    expect(queue.size).toBe(0);
  });

  it("agrees with a sort on 20,000 random events pushed and popped in turns", () => {
    const random = mulberry32(7);
    const queue = new EventQueue();
    const expected: { time: number; seq: number }[] = [];
    const popped: number[] = [];
    const into: SimEvent = { time: 0, kind: 0, a: 0, b: 0 };
    let seq = 0;
    let now = 0;
    for (let round = 0; round < 200; round++) {
      for (let i = 0; i < 100; i++) {
        // Never in the past, often on the same instant, as the engine schedules.
        const time = now + Math.floor(random() * 50);
        queue.push(time, 0, seq);
        expected.push({ time, seq: seq++ });
      }
      for (let i = 0; i < 60 && queue.pop(into); i++) {
        popped.push(into.a);
        now = into.time;
      }
    }
    while (queue.pop(into)) popped.push(into.a);
    // Popping in turns must equal a stable sort, given that pushes never go back in time past a pop.
    let last = { time: -1, seq: -1 };
    for (const a of popped) {
      const event = expected[a] as { time: number; seq: number };
      expect(event.time > last.time || (event.time === last.time && event.seq > last.seq)).toBe(true);
      last = event;
    }
    expect(new Set(popped).size).toBe(20_000);
  });
});

describe("mulberry32", () => {
  it("replays the same numbers for the same seed, and others for another", () => {
    const take = (seed: number) => Array.from({ length: 5 }, mulberry32(seed));
    expect(take(42)).toEqual(take(42));
    expect(take(42)).not.toEqual(take(43));
    expect(take(42).every((x) => x >= 0 && x < 1)).toBe(true);
  });
});
