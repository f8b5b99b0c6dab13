// A client's webhook URL, checked when the job is created: webhooks must be configured, and the URL must pass the
// SSRF rules (checked again, with DNS where the runtime has it, on every delivery).
import { err, ok, type Result } from "neverthrow";
import type { ControlPlaneDeps } from "../config/control-plane-deps.ts";
import type { ApiError } from "../http/api-error.ts";
import { checkOutboundUrl } from "../outbound/check-outbound-url.ts";

export const checkWebhookUrl = (
  deps: ControlPlaneDeps,
  url: string | undefined,
): Result<string | null, ApiError> => {
  if (url === undefined) return ok(null);
  if (deps.config.webhook.secret === null) {
    return err({
      kind: "invalid-request",
      message: "webhookUrl: webhooks are not configured (no WEBHOOK_SECRET)",
    });
  }
  return checkOutboundUrl(url, deps.config.allowPrivateUrls).map((checked) => checked.toString());
};
