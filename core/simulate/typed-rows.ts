// Row allocation for the simulator's typed-array columns: a free list and doubling growth, so a month of millions
// of jobs reuses a few thousand rows and allocates nothing per event.

export type Column = Float64Array | Int32Array | Uint8Array;

/** Rows every column starts with. */
export const INITIAL_ROWS = 256;

/** A copy of `old` in a column of `size` rows (made by `make`). */
export const grown = <A extends Column>(old: A, make: (size: number) => A, size: number): A => {
  const next = make(size);
  next.set(old);
  return next;
};

export const f64 = (size: number) => new Float64Array(size);
export const i32 = (size: number) => new Int32Array(size);
export const u8 = (size: number) => new Uint8Array(size);

/** A table of typed columns: subclasses declare them at INITIAL_ROWS and grow each one in `resize`. */
export abstract class Rows {
  private capacity = INITIAL_ROWS;
  private readonly free: number[] = [];
  private used = 0;

  protected abstract resize(capacity: number): void;

  take(): number {
    const row = this.free.pop();
    if (row !== undefined) return row;
    if (this.used === this.capacity) {
      this.capacity *= 2;
      this.resize(this.capacity);
    }
    return this.used++;
  }

  give(row: number): void {
    this.free.push(row);
  }
}
