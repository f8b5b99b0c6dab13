// Outbound fetch for the Node/Bun server that connects to an address already checked (DNS rebinding): node:http(s)
// with a `lookup` that answers that address, so the Host header, TLS name (SNI) and certificate check stay the URL's.
import { lookup as dnsLookup } from "node:dns/promises";
import { request as httpRequest, type IncomingMessage, type RequestOptions } from "node:http";
import { request as httpsRequest } from "node:https";
import type { LookupFunction } from "node:net";
import { Readable } from "node:stream";
import type { OutboundFetch } from "../control-plane/config/control-plane-deps.ts";

/** Every address a name resolves to (the SSRF check looks at all of them). */
export const resolveWithDns = async (host: string): Promise<readonly string[]> =>
  (await dnsLookup(host, { all: true, verbatim: true })).map((entry) => entry.address);

const pinnedLookup = (address: string): LookupFunction => {
  const family = address.includes(":") ? 6 : 4;
  return (_hostname, options, callback) => {
    if (options.all) callback(null, [{ address, family }]);
    else callback(null, address, family);
  };
};

const NULL_BODY_STATUSES = new Set([101, 204, 205, 304]);

const toResponse = (res: IncomingMessage, method: string): Response => {
  const headers = new Headers();
  for (let i = 0; i + 1 < res.rawHeaders.length; i += 2) {
    headers.append(res.rawHeaders[i] as string, res.rawHeaders[i + 1] as string);
  }
  const status = res.statusCode ?? 502;
  const empty = method === "HEAD" || NULL_BODY_STATUSES.has(status);
  if (empty) res.resume();
  const body = empty ? null : (Readable.toWeb(res) as ReadableStream<Uint8Array>);
  return new Response(body, { status, statusText: res.statusMessage ?? "", headers });
};

/**
 * With an `address`, the request goes to that address whatever the name resolves to now, on a connection of its
 * own (no pooled socket from another lookup); without one it is plain fetch. Redirects are never followed here.
 * Bodies are sent buffered: callers send small ones (webhooks) or none (URL ingest).
 */
export const pinnedFetch: OutboundFetch = async (url, init, address) => {
  if (address === null) return fetch(url, init);
  const request = new Request(url, init);
  const body = request.body === null ? null : Buffer.from(await request.arrayBuffer());
  const target = new URL(request.url);
  const options: RequestOptions = {
    method: request.method,
    headers: Object.fromEntries(request.headers),
    lookup: pinnedLookup(address),
    agent: false,
    ...(init.signal ? { signal: init.signal } : {}),
  };
  const send = target.protocol === "https:" ? httpsRequest : httpRequest;
  const res = await new Promise<IncomingMessage>((resolve, reject) => {
    const req = send(target, options, resolve);
    req.on("error", reject);
    req.end(body ?? undefined);
  });
  return toResponse(res, request.method);
};
