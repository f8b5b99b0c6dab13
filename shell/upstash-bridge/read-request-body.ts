// Reads an HTTP request body into memory, stopping (but still draining the socket) past the size limit.
import type { IncomingMessage } from "node:http";

export type RequestBody =
  | { readonly kind: "read"; readonly bytes: Buffer }
  | { readonly kind: "too-large" }
  | { readonly kind: "aborted" };

export function readRequestBody(req: IncomingMessage, limitBytes: number): Promise<RequestBody> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    const settle = (body: RequestBody) => {
      if (settled) return;
      settled = true;
      chunks.length = 0;
      resolve(body);
    };
    // The rest of an oversized body is still consumed (and dropped) so the client gets to read the 413.
    if (Number(req.headers["content-length"]) > limitBytes) settle({ kind: "too-large" });
    req.on("data", (chunk: Buffer) => {
      if (settled) return;
      size += chunk.length;
      if (size > limitBytes) settle({ kind: "too-large" });
      else chunks.push(chunk);
    });
    req.on("end", () => settle({ kind: "read", bytes: Buffer.concat(chunks) }));
    req.on("error", () => settle({ kind: "aborted" }));
    req.on("close", () => settle({ kind: "aborted" }));
  });
}
