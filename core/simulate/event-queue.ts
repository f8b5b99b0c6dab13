// The simulation's event queue: a binary min-heap on (time, insertion order) over typed arrays, so millions of
// events cost no allocation each. An event is a kind and two integer arguments.

export interface SimEvent {
  time: number;
  kind: number;
  a: number;
  b: number;
}

/** Earlier time first; at the same time, the event pushed first (so a run never depends on heap layout). */
const earlier = (time: number, order: number, otherTime: number, otherOrder: number): boolean =>
  time < otherTime || (time === otherTime && order < otherOrder);

export class EventQueue {
  private time = new Float64Array(1024);
  private order = new Float64Array(1024);
  private kind = new Uint8Array(1024);
  private a = new Int32Array(1024);
  private b = new Int32Array(1024);
  private count = 0;
  private pushed = 0;

  get size(): number {
    return this.count;
  }

  push(time: number, kind: number, a = 0, b = 0): void {
    if (this.count === this.time.length) this.grow();
    // Sift up: move parents down until the new event's place is found, then write it once.
    let i = this.count++;
    const order = this.pushed++;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!earlier(time, order, this.time[parent] as number, this.order[parent] as number)) break;
      this.move(parent, i);
      i = parent;
    }
    this.set(i, time, order, kind, a, b);
  }

  /** The earliest event's time; Infinity when the queue is empty. */
  peekTime(): number {
    return this.count === 0 ? Number.POSITIVE_INFINITY : (this.time[0] as number);
  }

  /** Removes the earliest event into `into` (reused by the caller); false when the queue is empty. */
  pop(into: SimEvent): boolean {
    if (this.count === 0) return false;
    into.time = this.time[0] as number;
    into.kind = this.kind[0] as number;
    into.a = this.a[0] as number;
    into.b = this.b[0] as number;
    const last = --this.count;
    if (last === 0) return true;
    const time = this.time[last] as number;
    const order = this.order[last] as number;
    const kind = this.kind[last] as number;
    const a = this.a[last] as number;
    const b = this.b[last] as number;
    // Sift down the last event from the root.
    let i = 0;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= last) break;
      const right = left + 1;
      const child =
        right < last &&
        earlier(
          this.time[right] as number,
          this.order[right] as number,
          this.time[left] as number,
          this.order[left] as number,
        )
          ? right
          : left;
      if (!earlier(this.time[child] as number, this.order[child] as number, time, order)) break;
      this.move(child, i);
      i = child;
    }
    this.set(i, time, order, kind, a, b);
    return true;
  }

  private move(from: number, to: number): void {
    this.set(
      to,
      this.time[from] as number,
      this.order[from] as number,
      this.kind[from] as number,
      this.a[from] as number,
      this.b[from] as number,
    );
  }

  private set(i: number, time: number, order: number, kind: number, a: number, b: number): void {
    this.time[i] = time;
    this.order[i] = order;
    this.kind[i] = kind;
    this.a[i] = a;
    this.b[i] = b;
  }

  private grow(): void {
    const size = this.time.length * 2;
    const grown = <T extends Float64Array | Int32Array | Uint8Array>(old: T, next: T): T => {
      next.set(old);
      return next;
    };
    this.time = grown(this.time, new Float64Array(size));
    this.order = grown(this.order, new Float64Array(size));
    this.kind = grown(this.kind, new Uint8Array(size));
    this.a = grown(this.a, new Int32Array(size));
    this.b = grown(this.b, new Int32Array(size));
  }
}
