// A streamed request body that goes out with its Content-Length. S3 and R2 refuse chunked PutObject/UploadPart
// (411). Node and Bun send a stream with the content-length header we set; workerd drops that header and sends
// chunked unless the stream is a FixedLengthStream, so there the body is piped through one.

interface FixedLengthStreamConstructor {
  new (length: number): TransformStream<Uint8Array, Uint8Array>;
}

/** workerd's FixedLengthStream, where this runs inside a Cloudflare Worker; undefined elsewhere. */
const fixedLengthStream = (globalThis as { FixedLengthStream?: FixedLengthStreamConstructor })
  .FixedLengthStream;

export const sizedBody = (body: ReadableStream<Uint8Array>, length: number): ReadableStream<Uint8Array> =>
  fixedLengthStream === undefined ? body : body.pipeThrough(new fixedLengthStream(length));
