// What an upload reads from: a Blob or File (any range at any time, so parts go in parallel and a resume skips
// straight to what is missing), or a ReadableStream of known size (read once, in order: ranges before the current
// position cannot be read again, and skipped ones are read and dropped).

export type UploadInput =
  | Blob
  | {
      readonly stream: ReadableStream<Uint8Array>;
      readonly size: number;
      readonly name?: string;
      readonly type?: string;
    };

export interface UploadSource {
  readonly size: number;
  readonly name: string | undefined;
  readonly type: string | undefined;
  readonly lastModified: number | undefined;
  /** A stream: read() must be called with ascending, non-overlapping ranges. */
  readonly sequential: boolean;
  /** Bytes [start, end) as a fetch body that can be sent again on a retry. */
  read(start: number, end: number): Promise<Blob | Uint8Array<ArrayBuffer>>;
}

export const toUploadSource = (input: UploadInput): UploadSource => {
  if (input instanceof Blob) {
    const file = input as Blob & { readonly name?: unknown; readonly lastModified?: unknown };
    return {
      size: input.size,
      name: typeof file.name === "string" ? file.name : undefined,
      type: input.type || undefined,
      lastModified: typeof file.lastModified === "number" ? file.lastModified : undefined,
      sequential: false,
      read: async (start, end) => input.slice(start, end),
    };
  }
  if (!Number.isSafeInteger(input.size) || input.size < 0)
    throw new RangeError(`a stream upload needs its size in bytes, got ${input.size}`);
  return {
    size: input.size,
    name: input.name,
    type: input.type,
    lastModified: undefined,
    sequential: true,
    read: sequentialReader(input.stream),
  };
};

const sequentialReader = (stream: ReadableStream<Uint8Array>) => {
  const reader = stream.getReader();
  let position = 0;
  let pending: Uint8Array = new Uint8Array(0);
  // Calls run one after another, in the order they were made.
  let queue: Promise<unknown> = Promise.resolve();

  const take = async (count: number, keep: boolean): Promise<Uint8Array<ArrayBuffer>> => {
    const out = new Uint8Array(keep ? count : 0);
    let filled = 0;
    while (filled < count) {
      if (pending.byteLength === 0) {
        const { done, value } = await reader.read();
        if (done) throw new RangeError(`the stream ended at byte ${position}, before its declared size`);
        pending = value;
      }
      const n = Math.min(count - filled, pending.byteLength);
      if (keep) out.set(pending.subarray(0, n), filled);
      pending = pending.subarray(n);
      filled += n;
      position += n;
    }
    return out;
  };

  return (start: number, end: number): Promise<Uint8Array<ArrayBuffer>> => {
    const next = queue.then(async () => {
      if (start < position) throw new RangeError(`a stream cannot go back to byte ${start} from ${position}`);
      await take(start - position, false);
      return take(end - start, true);
    });
    queue = next.catch(() => undefined);
    return next;
  };
};
