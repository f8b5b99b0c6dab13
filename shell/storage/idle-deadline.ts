// Deadlines for streamed bodies: abort when the store stalls, without capping how long a big transfer may take.

export interface IdleDeadline {
  /** Pass to fetch: aborts the request (and its response body) when the deadline fires. */
  readonly signal: AbortSignal;
  /** (Re)starts the countdown. */
  arm(): void;
  /** Stops the countdown, e.g. while the other side (our caller) is the slow one. */
  disarm(): void;
}

export const idleDeadline = (timeoutMs: number): IdleDeadline => {
  const controller = new AbortController();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const disarm = () => {
    if (timer !== undefined) clearTimeout(timer);
    timer = undefined;
  };
  return {
    signal: controller.signal,
    arm() {
      disarm();
      timer = setTimeout(
        () => controller.abort(new DOMException(`no progress for ${timeoutMs} ms`, "TimeoutError")),
        timeoutMs,
      );
    },
    disarm,
  };
};

/** `read()`, or the deadline's reason if it fires first (the listener is removed either way). */
const unlessAborted = <T>(read: () => Promise<T>, signal: AbortSignal) =>
  new Promise<T>((resolve, reject) => {
    if (signal.aborted) {
      reject(signal.reason);
      return;
    }
    const onAbort = () => reject(signal.reason);
    signal.addEventListener("abort", onAbort, { once: true });
    read()
      .then(resolve, reject)
      .finally(() => signal.removeEventListener("abort", onAbort));
  });

/**
 * A response body that errors when a read waits on the store for longer than the deadline. The clock runs only
 * while our caller is waiting for bytes, so a slow consumer never trips it.
 */
export const withReadDeadline = (
  body: ReadableStream<Uint8Array>,
  deadline: IdleDeadline,
): ReadableStream<Uint8Array> => {
  const reader = body.getReader();
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        deadline.arm();
        try {
          // Runtimes differ in whether aborting a fetch errors its body; racing the signal makes it certain.
          const { done, value } = await unlessAborted(() => reader.read(), deadline.signal);
          if (done) controller.close();
          else controller.enqueue(value);
        } catch (error) {
          reader.cancel(error).catch(() => undefined);
          throw error;
        } finally {
          deadline.disarm();
        }
      },
      cancel(reason) {
        deadline.disarm();
        return reader.cancel(reason);
      },
    },
    { highWaterMark: 0 },
  );
};

/** Why a request body we were streaming could not be sent as promised. */
export class SourceError extends Error {
  override readonly name = "SourceError";
}

/**
 * The caller's stream as a request body: the clock runs while the transport is not taking bytes (and after the
 * last one, until the response), but not while we wait on the caller's stream. Errors with a SourceError when
 * the source fails or yields other than `expectedBytes`.
 */
export const withUploadDeadline = (
  source: ReadableStream<Uint8Array>,
  deadline: IdleDeadline,
  expectedBytes: number,
): { readonly body: ReadableStream<Uint8Array>; readonly sourceError: () => SourceError | null } => {
  const reader = source.getReader();
  let sent = 0;
  let failure: SourceError | null = null;
  const fail = (message: string): SourceError => {
    failure = new SourceError(message);
    reader.cancel(failure).catch(() => undefined);
    return failure;
  };
  const body = new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        deadline.disarm();
        let chunk: Awaited<ReturnType<typeof reader.read>>;
        try {
          chunk = await reader.read();
        } catch (error) {
          throw fail(`body stream failed: ${error instanceof Error ? error.message : String(error)}`);
        }
        if (chunk.done) {
          if (sent !== expectedBytes) throw fail(`body stream ended after ${sent} of ${expectedBytes} bytes`);
          controller.close();
        } else {
          sent += chunk.value.byteLength;
          if (sent > expectedBytes)
            throw fail(`body stream is longer than the ${expectedBytes} bytes declared`);
          controller.enqueue(chunk.value);
        }
        deadline.arm();
      },
      cancel(reason) {
        return reader.cancel(reason);
      },
    },
    { highWaterMark: 0 },
  );
  return { body, sourceError: () => failure };
};
