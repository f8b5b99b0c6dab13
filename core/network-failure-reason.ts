// What a client is told when a URL of theirs could not be reached: a short stable reason, never the network stack's
// own message (which names internal addresses, ports and library internals).

export const NETWORK_FAILURE_REASONS = [
  "timeout",
  "dns-failure",
  "connection-refused",
  "connection-reset",
  "host-unreachable",
  "tls-failure",
  "network-error",
] as const;

export type NetworkFailureReason = (typeof NETWORK_FAILURE_REASONS)[number];

const BY_CODE: Readonly<Record<string, NetworkFailureReason>> = {
  ETIMEDOUT: "timeout",
  UND_ERR_CONNECT_TIMEOUT: "timeout",
  UND_ERR_HEADERS_TIMEOUT: "timeout",
  UND_ERR_BODY_TIMEOUT: "timeout",
  ENOTFOUND: "dns-failure",
  EAI_AGAIN: "dns-failure",
  EAI_FAIL: "dns-failure",
  ENODATA: "dns-failure",
  ECONNREFUSED: "connection-refused",
  ECONNRESET: "connection-reset",
  EPIPE: "connection-reset",
  UND_ERR_SOCKET: "connection-reset",
  UND_ERR_CLOSED: "connection-reset",
  EHOSTUNREACH: "host-unreachable",
  ENETUNREACH: "host-unreachable",
  EHOSTDOWN: "host-unreachable",
  EADDRNOTAVAIL: "host-unreachable",
};

const TLS = /^(CERT_|ERR_TLS_|ERR_SSL_|UNABLE_TO_|DEPTH_ZERO_|SELF_SIGNED_|HOSTNAME_MISMATCH)/;

/**
 * The reason for a failed outbound call, from the error code the runtime attached (Node's `code`, undici's, or
 * none) and whether the caller's own deadline had passed.
 */
export const networkFailureReason = (code: string | null, timedOut: boolean): NetworkFailureReason => {
  if (timedOut) return "timeout";
  if (code === null) return "network-error";
  if (TLS.test(code)) return "tls-failure";
  return BY_CODE[code] ?? "network-error";
};
