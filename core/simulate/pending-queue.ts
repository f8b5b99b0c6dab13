// The simulated jobs:pending: tasks by score (a job's enqueue time, a split task's parent's, a retry's availableAt),
// claimed lowest score first once the score is not in the future, as claim-next.lua pops its sorted set.
import { EventQueue, type SimEvent } from "./event-queue.ts";

export class PendingQueue {
  /** Every pending task, keyed by its score (the event's time; `a` is the task; ties: first queued first). */
  private readonly byScore = new EventQueue();
  /** The scores that were still in the future when queued (retries backing off), for the claimable count. */
  private readonly future = new EventQueue();
  private readonly popped: SimEvent = { time: 0, kind: 0, a: 0, b: 0 };

  /** ZCARD: every pending task, claimable or backing off (what admission and the backlog cap count). */
  get size(): number {
    return this.byScore.size;
  }

  push(task: number, score: number, now: number): void {
    this.byScore.push(score, 0, task);
    if (score > now) this.future.push(score, 0);
  }

  /** ZCOUNT -inf now: the tasks a worker could claim at `now` (how many idle machines are nudged). */
  claimable(now: number): number {
    this.settle(now);
    return this.byScore.size - this.future.size;
  }

  /** Pops the lowest-scored task if it is claimable at `now`; -1 when none is. */
  pop(now: number): number {
    if (this.byScore.peekTime() > now) return -1;
    // What is popped is due, so once the backoffs over by now are forgotten, every future score left is unpopped.
    this.settle(now);
    this.byScore.pop(this.popped);
    return this.popped.a;
  }

  /**
   * What an empty claim answers: ms until the first backed-off task is claimable, or null when nothing is pending
   * (claim-next.lua's waitMs; -1 there for an empty queue).
   */
  waitMs(now: number): number | null {
    const first = this.byScore.peekTime();
    return first === Number.POSITIVE_INFINITY ? null : Math.max(0, first - now);
  }

  /** Forgets the backoffs that are over by `now`. */
  private settle(now: number): void {
    while (this.future.peekTime() <= now) this.future.pop(this.popped);
  }
}
