// The claimable tasks, oldest first: a growable ring of task rows (jobs:pending, popped lowest score first).
import { i32 } from "./typed-rows.ts";

export class TaskRing {
  private ring = i32(1024);
  private head = 0;
  private count = 0;

  get size(): number {
    return this.count;
  }

  push(task: number): void {
    if (this.count === this.ring.length) {
      const next = i32(this.ring.length * 2);
      for (let i = 0; i < this.count; i++) next[i] = this.ring[(this.head + i) % this.ring.length] as number;
      this.ring = next;
      this.head = 0;
    }
    this.ring[(this.head + this.count) % this.ring.length] = task;
    this.count++;
  }

  /** The oldest task, or -1 when none waits. */
  shift(): number {
    if (this.count === 0) return -1;
    const task = this.ring[this.head] as number;
    this.head = (this.head + 1) % this.ring.length;
    this.count--;
    return task;
  }
}
