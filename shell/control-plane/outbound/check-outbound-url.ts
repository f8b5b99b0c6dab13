// SSRF checks on URLs clients give us (URL ingest, webhooks): http(s) only, no credentials, and no internal host
// (core/internal-address.ts decides which), literal or resolved, unless configured for local development.
import { err, ok, type Result } from "neverthrow";
import { isInternalAddress, isInternalHost, isIpLiteral } from "../../../core/internal-address.ts";
import type { ApiError } from "../http/api-error.ts";

const refuse = (message: string): Result<never, ApiError> => err({ kind: "url-not-allowed", message });

/** Checks the URL itself (pure): scheme, credentials, and literal or obviously internal hosts. */
export const checkOutboundUrl = (raw: string, allowPrivate: boolean): Result<URL, ApiError> => {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return refuse("the URL is not valid");
  }
  if (url.protocol !== "http:" && url.protocol !== "https:")
    return refuse("only http and https URLs are allowed");
  if (url.username !== "" || url.password !== "") return refuse("URLs with credentials are not allowed");
  if (allowPrivate) return ok(url);
  if (isInternalHost(url.hostname)) return refuse(`the host ${url.hostname} is internal`);
  return ok(url);
};

/** Where to connect for a checked URL: the address its name resolved to, or null to let the runtime resolve. */
export interface ResolvedTarget {
  readonly url: URL;
  readonly address: string | null;
}

/**
 * Resolves the URL's name once and refuses it if any address is internal (where the runtime can resolve). The
 * caller connects to the address returned, never to a fresh lookup, so a name that answers a public address to
 * this check and a private one to the connection (DNS rebinding) cannot get through.
 */
export const resolveCheckedHost = async (
  url: URL,
  allowPrivate: boolean,
  resolveHost: ((host: string) => Promise<readonly string[]>) | null,
): Promise<Result<ResolvedTarget, ApiError>> => {
  if (allowPrivate || resolveHost === null || isIpLiteral(url.hostname)) return ok({ url, address: null });
  let addresses: readonly string[];
  try {
    addresses = await resolveHost(url.hostname);
  } catch {
    return refuse(`the host ${url.hostname} does not resolve`);
  }
  const [first] = addresses;
  if (first === undefined) return refuse(`the host ${url.hostname} does not resolve`);
  return addresses.some(isInternalAddress)
    ? refuse(`the host ${url.hostname} is internal`)
    : ok({ url, address: first });
};
