// Cuts a byte stream into multipart-upload parts of one fixed size, holding at most one part in memory.
import { SourceError } from "./idle-deadline.ts";

/**
 * Yields parts of exactly `partSize` bytes, then the remainder (if any). Reads from `source` only as parts are
 * consumed; a failing source surfaces as a SourceError. Returning early cancels the source.
 */
export async function* splitIntoParts(
  source: ReadableStream<Uint8Array>,
  partSize: number,
): AsyncGenerator<Uint8Array, void, undefined> {
  if (!Number.isInteger(partSize) || partSize <= 0)
    throw new RangeError(`part size must be > 0, got ${partSize}`);
  const reader = source.getReader();
  let finished = false;
  let part = new Uint8Array(partSize);
  let filled = 0;
  try {
    for (;;) {
      let chunk: Awaited<ReturnType<typeof reader.read>>;
      try {
        chunk = await reader.read();
      } catch (error) {
        finished = true;
        throw new SourceError(
          `body stream failed: ${error instanceof Error ? error.message : String(error)}`,
        );
      }
      if (chunk.done) break;
      const bytes = chunk.value;
      for (let offset = 0; offset < bytes.byteLength; ) {
        const take = Math.min(partSize - filled, bytes.byteLength - offset);
        part.set(bytes.subarray(offset, offset + take), filled);
        filled += take;
        offset += take;
        if (filled === partSize) {
          yield part;
          // A fresh buffer, so the consumer may keep the part it was given.
          part = new Uint8Array(partSize);
          filled = 0;
        }
      }
    }
    finished = true;
    if (filled > 0) yield part.subarray(0, filled);
  } finally {
    if (!finished) await reader.cancel().catch(() => undefined);
    reader.releaseLock();
  }
}
