// A streaming POSIX ustar writer: files on disk → one archive stream of a size known up front (S3 refuses
// chunked uploads, so a presigned PUT needs Content-Length before the first byte). Kept by hand rather than
// tar-stream: that library streams Node streams and knows no total size up front, which is the one thing we need.

export interface TarEntry {
  /** Name inside the archive, "/"-separated, relative ("720p/seg_000.ts"). */
  readonly name: string;
  readonly size: number;
  /** Streams the file's bytes; must yield exactly `size` bytes. */
  readonly open: () => ReadableStream<Uint8Array>;
}

const BLOCK = 512;
/** 11 octal digits in the size field. */
const MAX_ENTRY_BYTES = 8 ** 11 - 1;
const encoder = new TextEncoder();

const padTo = (n: number): number => Math.ceil(n / BLOCK) * BLOCK;

/** The archive's exact length: a header and padded data per entry, then two zero blocks. */
export const ustarSize = (entries: readonly TarEntry[]): number =>
  entries.reduce((total, e) => total + BLOCK + padTo(e.size), 0) + 2 * BLOCK;

const writeField = (header: Uint8Array, offset: number, length: number, text: string): void => {
  const bytes = encoder.encode(text);
  if (bytes.byteLength > length) throw new RangeError(`tar field too long: ${text}`);
  header.set(bytes, offset);
};

const octal = (n: number, width: number): string => `${n.toString(8).padStart(width - 1, "0")}\0`;

/** ustar keeps names up to 100 bytes, or 255 split at a "/" into prefix (155) and name (100). */
const splitName = (name: string): { prefix: string; name: string } => {
  if (encoder.encode(name).byteLength <= 100) return { prefix: "", name };
  for (let cut = name.indexOf("/"); cut !== -1; cut = name.indexOf("/", cut + 1)) {
    const prefix = name.slice(0, cut);
    const rest = name.slice(cut + 1);
    if (encoder.encode(prefix).byteLength <= 155 && encoder.encode(rest).byteLength <= 100) {
      return { prefix, name: rest };
    }
  }
  throw new RangeError(`tar entry name too long for ustar: ${name}`);
};

/** One 512-byte header for a regular file, mode 0644, owned by uid/gid 0. */
export const ustarHeader = (entry: { name: string; size: number }, mtimeSeconds: number): Uint8Array => {
  if (!Number.isInteger(entry.size) || entry.size < 0 || entry.size > MAX_ENTRY_BYTES) {
    throw new RangeError(`tar entry ${entry.name}: size ${entry.size} out of range`);
  }
  const header = new Uint8Array(BLOCK);
  const { prefix, name } = splitName(entry.name);
  writeField(header, 0, 100, name);
  writeField(header, 100, 8, octal(0o644, 8));
  writeField(header, 108, 8, octal(0, 8));
  writeField(header, 116, 8, octal(0, 8));
  writeField(header, 124, 12, octal(entry.size, 12));
  writeField(header, 136, 12, octal(Math.max(0, Math.floor(mtimeSeconds)), 12));
  writeField(header, 148, 8, "        "); // checksum counts its own field as spaces
  writeField(header, 156, 1, "0");
  writeField(header, 257, 6, "ustar\0");
  writeField(header, 263, 2, "00");
  writeField(header, 345, 155, prefix);
  const checksum = header.reduce((sum, byte) => sum + byte, 0);
  writeField(header, 148, 8, `${checksum.toString(8).padStart(6, "0")}\0 `);
  return header;
};

/** The archive as a stream: entries are opened one at a time, so memory holds one chunk of one file. */
export const ustarStream = (
  entries: readonly TarEntry[],
  mtimeSeconds: number,
): ReadableStream<Uint8Array> => {
  async function* blocks(): AsyncGenerator<Uint8Array> {
    for (const entry of entries) {
      yield ustarHeader(entry, mtimeSeconds);
      let written = 0;
      for await (const chunk of entry.open()) {
        written += chunk.byteLength;
        if (written > entry.size) throw new Error(`${entry.name} grew while being archived`);
        yield chunk;
      }
      if (written !== entry.size) throw new Error(`${entry.name}: read ${written} of ${entry.size} bytes`);
      const padding = padTo(entry.size) - entry.size;
      if (padding > 0) yield new Uint8Array(padding);
    }
    yield new Uint8Array(2 * BLOCK);
  }
  const source = blocks();
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      const { done, value } = await source.next();
      if (done) controller.close();
      else controller.enqueue(value);
    },
    async cancel() {
      await source.return(undefined);
    },
  });
};
