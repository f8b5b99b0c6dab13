// Given / when / then table: a network error code becomes the short reason a client sees.
import { describe, expect, it } from "vitest";
import { networkFailureReason } from "../../../core/network-failure-reason.ts";

describe("networkFailureReason", () => {
  it.each([
    [null, true, "timeout"],
    ["ECONNREFUSED", true, "timeout"],
    [null, false, "network-error"],
    ["ECONNREFUSED", false, "connection-refused"],
    ["ECONNRESET", false, "connection-reset"],
    ["UND_ERR_SOCKET", false, "connection-reset"],
    ["ENOTFOUND", false, "dns-failure"],
    ["EAI_AGAIN", false, "dns-failure"],
    ["ETIMEDOUT", false, "timeout"],
    ["UND_ERR_CONNECT_TIMEOUT", false, "timeout"],
    ["EHOSTUNREACH", false, "host-unreachable"],
    ["ENETUNREACH", false, "host-unreachable"],
    ["CERT_HAS_EXPIRED", false, "tls-failure"],
    ["ERR_TLS_CERT_ALTNAME_INVALID", false, "tls-failure"],
    ["DEPTH_ZERO_SELF_SIGNED_CERT", false, "tls-failure"],
    ["UNABLE_TO_VERIFY_LEAF_SIGNATURE", false, "tls-failure"],
    ["ESOMETHINGNEW", false, "network-error"],
  ] as const)("code %s, timed out %s → %s", (code, timedOut, reason) => {
    expect(networkFailureReason(code, timedOut)).toBe(reason);
  });
});
