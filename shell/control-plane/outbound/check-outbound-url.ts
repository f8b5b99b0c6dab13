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

/** Also refuses a public-looking name that resolves to an internal address (where the runtime can resolve). */
export const checkResolvedHost = async (
  url: URL,
  allowPrivate: boolean,
  resolveHost: ((host: string) => Promise<readonly string[]>) | null,
): Promise<Result<URL, ApiError>> => {
  if (allowPrivate || resolveHost === null || isIpLiteral(url.hostname)) return ok(url);
  let addresses: readonly string[];
  try {
    addresses = await resolveHost(url.hostname);
  } catch {
    return refuse(`the host ${url.hostname} does not resolve`);
  }
  if (addresses.length === 0) return refuse(`the host ${url.hostname} does not resolve`);
  return addresses.some(isInternalAddress) ? refuse(`the host ${url.hostname} is internal`) : ok(url);
};
