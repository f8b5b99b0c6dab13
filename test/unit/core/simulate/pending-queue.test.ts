// The simulated jobs:pending: lowest score first, nothing claimable before its score, claim-next's waitMs, and the
// claimable count the nudges read.
import { describe, expect, it } from "vitest";
import { PendingQueue } from "../../../../core/simulate/pending-queue.ts";

describe("PendingQueue", () => {
  it("pops the lowest score first, ties in the order queued", () => {
    const q = new PendingQueue();
    q.push(1, 500, 1000);
    q.push(2, 100, 1000);
    q.push(3, 500, 1000);
    q.push(4, 900, 1000);
    expect([q.pop(1000), q.pop(1000), q.pop(1000), q.pop(1000), q.pop(1000)]).toEqual([2, 1, 3, 4, -1]);
  });

  it("holds a backed-off task until its score, and says how long to wait for it", () => {
    const q = new PendingQueue();
    expect(q.waitMs(0)).toBeNull();
    q.push(7, 5_000, 1_000);
    expect(q.size).toBe(1);
    expect(q.claimable(1_000)).toBe(0);
    expect(q.pop(1_000)).toBe(-1);
    expect(q.waitMs(1_000)).toBe(4_000);
    expect(q.claimable(5_000)).toBe(1);
    expect(q.pop(5_000)).toBe(7);
    expect(q.waitMs(5_000)).toBeNull();
  });

  it("counts what is claimable at an instant: due tasks, not those still backing off", () => {
    const q = new PendingQueue();
    q.push(1, 0, 0);
    q.push(2, 3_000, 0);
    q.push(3, 6_000, 0);
    q.push(4, 2_000, 2_000);
    expect(q.claimable(2_000)).toBe(2);
    expect(q.pop(4_000)).toBe(1);
    expect(q.pop(4_000)).toBe(4);
    expect(q.pop(4_000)).toBe(2);
    expect(q.claimable(4_000)).toBe(0);
    expect(q.size).toBe(1);
    expect(q.claimable(6_000)).toBe(1);
  });
});
