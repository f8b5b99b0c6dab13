// A fetch for the SDK in which the uploads to storage (PUTs of a Blob) go through XMLHttpRequest, the one browser API
// that reports bytes as they are sent; everything else is the browser's fetch. The SDK counts a part once it is
// stored; this adds the bytes of the parts still in flight, so a single large PUT moves the bar too.
import type { FetchLike } from "../sdk/index.ts";

/** Bytes in flight per request; `null` once the request has ended (its bytes are the SDK's to count). */
export type SentBytes = (request: object, loaded: number | null) => void;

export const progressFetch =
  (onSent: SentBytes): FetchLike =>
  (input, init = {}) => {
    if (init.method !== "PUT" || !(init.body instanceof Blob)) return fetch(input, init);
    const body = init.body;
    return new Promise<Response>((resolve, reject) => {
      const xhr = new XMLHttpRequest();
      const signal = init.signal ?? null;
      const abort = () => xhr.abort();
      xhr.open("PUT", input);
      for (const [name, value] of new Headers(init.headers)) xhr.setRequestHeader(name, value);
      xhr.responseType = "blob";
      xhr.upload.onprogress = (event) => onSent(xhr, event.loaded);
      xhr.onloadend = () => {
        onSent(xhr, null);
        signal?.removeEventListener("abort", abort);
      };
      xhr.onload = () =>
        resolve(
          new Response(xhr.status === 204 ? null : (xhr.response as Blob), {
            status: xhr.status,
            statusText: xhr.statusText,
            headers: parseHeaders(xhr.getAllResponseHeaders()),
          }),
        );
      // The SDK names the request; a browser says no more than this (refused, offline, CORS or the page's policy).
      xhr.onerror = () => reject(new TypeError("the connection failed"));
      xhr.onabort = () => reject(signal?.reason ?? new DOMException("aborted", "AbortError"));
      xhr.ontimeout = xhr.onerror;
      if (signal?.aborted) return reject(signal.reason);
      signal?.addEventListener("abort", abort, { once: true });
      xhr.send(body);
    });
  };

const parseHeaders = (raw: string): Headers => {
  const headers = new Headers();
  for (const line of raw.trim().split(/[\r\n]+/)) {
    const colon = line.indexOf(":");
    if (colon > 0) headers.append(line.slice(0, colon).trim(), line.slice(colon + 1).trim());
  }
  return headers;
};
