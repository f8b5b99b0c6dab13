// Bounds the worker's memory while it streams gigabytes: a pass-through stream that runs a full garbage collection
// each time another `everyBytes` have gone by.
//
// Streaming allocates a fresh buffer per chunk (and the multipart splitter one per part). JSC sees small objects
// holding large external memory and lets dead ones pile up: a 1 GiB upload peaked at 140+ MB of RSS. A
// synchronous collection costs about 10 ms on the worker's small heap, so once per several MiB is cheap next to
// the transfer itself.

export const collectEvery = (everyBytes: number): TransformStream<Uint8Array, Uint8Array> => {
  if (!(everyBytes > 0)) throw new RangeError(`everyBytes must be > 0, got ${everyBytes}`);
  let seen = 0;
  let next = everyBytes;
  return new TransformStream<Uint8Array, Uint8Array>({
    transform(chunk, controller) {
      seen += chunk.byteLength;
      if (seen >= next) {
        next = seen + everyBytes;
        Bun.gc(true);
      }
      controller.enqueue(chunk);
    },
  });
};

/** After a large transfer: drop what it left behind before the next phase starts. */
export const collectNow = (): void => {
  Bun.gc(true);
};
