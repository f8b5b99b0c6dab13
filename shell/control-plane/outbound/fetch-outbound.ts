// fetch for client-supplied URLs: SSRF rules on the URL and on every redirect hop, each hop's name resolved once and
// connected to at the address checked, one deadline for the whole call, and failures told as short reasons.
import { err, ok, type Result } from "neverthrow";
import { networkFailureReason } from "../../../core/network-failure-reason.ts";
import type { ControlPlaneConfig } from "../config/control-plane-config.ts";
import type { ControlPlaneDeps } from "../config/control-plane-deps.ts";
import type { ApiError } from "../http/api-error.ts";
import { checkOutboundUrl, resolveCheckedHost } from "./check-outbound-url.ts";

const MAX_REDIRECTS = 5;

export type OutboundDeps = Pick<ControlPlaneDeps, "outbound" | "resolveHost" | "log"> & {
  readonly config: Pick<ControlPlaneConfig, "allowPrivateUrls">;
};

/** The error code the runtime attached (Node's and undici's `code`), looked for along the `cause` chain. */
const errorCode = (error: unknown): string | null => {
  let current: unknown = error;
  for (let depth = 0; depth < 4 && typeof current === "object" && current !== null; depth++) {
    const { code, cause } = current as { code?: unknown; cause?: unknown };
    if (typeof code === "string") return code;
    current = cause;
  }
  return null;
};

const messageOf = (error: unknown): string => (error instanceof Error ? error.message : String(error));

/**
 * Follows up to five redirects itself (each target checked), so a public URL cannot bounce us to an internal
 * one. `signal` bounds the whole exchange, body included. Network failures are `ingest-failed` with a reason code
 * (the full error is logged, not sent: it names addresses and ports).
 */
export const fetchOutbound = async (
  deps: OutboundDeps,
  raw: string,
  init: RequestInit & { readonly signal: AbortSignal },
): Promise<Result<{ readonly response: Response; readonly url: URL }, ApiError>> => {
  let target = raw;
  for (let hop = 0; hop <= MAX_REDIRECTS; hop++) {
    const checked = checkOutboundUrl(target, deps.config.allowPrivateUrls);
    if (checked.isErr()) return err(checked.error);
    const resolved = await resolveCheckedHost(checked.value, deps.config.allowPrivateUrls, deps.resolveHost);
    if (resolved.isErr()) return err(resolved.error);
    const { url, address } = resolved.value;
    let response: Response;
    try {
      response = await deps.outbound(url.toString(), { ...init, redirect: "manual" }, address);
    } catch (error) {
      const reason = networkFailureReason(errorCode(error), init.signal.aborted);
      deps.log.warn("outbound.failed", { host: url.host, reason, error: messageOf(error) });
      return err({ kind: "ingest-failed", message: `fetching ${url.host} failed: ${reason}` });
    }
    const location = response.headers.get("location");
    if (response.status < 300 || response.status > 399 || location === null) return ok({ response, url });
    await response.body?.cancel().catch(() => undefined);
    target = new URL(location, url).toString();
  }
  return err({ kind: "ingest-failed", message: `more than ${MAX_REDIRECTS} redirects` });
};
