// fetch for client-supplied URLs: SSRF rules on the URL and on every redirect hop, one deadline for the whole call.
import { err, ok, type Result } from "neverthrow";
import type { ControlPlaneDeps } from "../config/control-plane-deps.ts";
import type { ApiError } from "../http/api-error.ts";
import { checkOutboundUrl, checkResolvedHost } from "./check-outbound-url.ts";

const MAX_REDIRECTS = 5;

const messageOf = (error: unknown): string => (error instanceof Error ? error.message : String(error));

/**
 * Follows up to five redirects itself (each target checked), so a public URL cannot bounce us to an internal
 * one. `signal` bounds the whole exchange, body included. Network failures are `ingest-failed`.
 */
export const fetchOutbound = async (
  deps: ControlPlaneDeps,
  raw: string,
  init: RequestInit & { readonly signal: AbortSignal },
): Promise<Result<{ readonly response: Response; readonly url: URL }, ApiError>> => {
  let target = raw;
  for (let hop = 0; hop <= MAX_REDIRECTS; hop++) {
    const checked = checkOutboundUrl(target, deps.config.allowPrivateUrls);
    if (checked.isErr()) return err(checked.error);
    const resolved = await checkResolvedHost(checked.value, deps.config.allowPrivateUrls, deps.resolveHost);
    if (resolved.isErr()) return err(resolved.error);
    let response: Response;
    try {
      response = await deps.outbound(resolved.value.toString(), { ...init, redirect: "manual" });
    } catch (error) {
      const reason = init.signal.aborted ? "timed out" : messageOf(error);
      return err({ kind: "ingest-failed", message: `fetching ${resolved.value.host} failed: ${reason}` });
    }
    const location = response.headers.get("location");
    if (response.status < 300 || response.status > 399 || location === null) {
      return ok({ response, url: resolved.value });
    }
    await response.body?.cancel().catch(() => undefined);
    target = new URL(location, resolved.value).toString();
  }
  return err({ kind: "ingest-failed", message: `more than ${MAX_REDIRECTS} redirects` });
};
