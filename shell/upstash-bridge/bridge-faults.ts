// Scripted failures for the bridge, the ways Upstash and the network in front of it fail: one queue, each request
// takes the next fault. Tests switch them on with the `faults` start option or `setFaults`.

/**
 * `dropped`: the command never reaches Redis. `applied`: it runs, then its answer is lost (the ambiguous case;
 * a client that retries sends it again).
 */
export type BridgeFaultEffect = "dropped" | "applied";

export type BridgeFault =
  /** HTTP 429 with Upstash's limit error as JSON (`{"error": "ERR max requests limit exceeded..."}`). */
  | { readonly kind: "rate-limited" }
  /** A proxy's HTML error page (text/html) with a 5xx status: a load balancer or CDN in front of Upstash. */
  | {
      readonly kind: "proxy-page";
      readonly status: 500 | 502 | 503 | 504;
      readonly effect: BridgeFaultEffect;
    }
  /** HTTP 200 with an HTML page instead of Upstash's JSON: a captive portal or a misrouted proxy. */
  | { readonly kind: "not-json"; readonly effect: BridgeFaultEffect }
  /** The connection is reset with no answer at all. */
  | { readonly kind: "reset"; readonly effect: BridgeFaultEffect };

export interface BridgeFaultQueue {
  /** The fault for this request, or null to answer normally. */
  next(): BridgeFault | null;
  /** Replaces the queue. */
  set(faults: readonly BridgeFault[]): void;
  /** Faults not yet used. */
  pending(): number;
}

export const createBridgeFaultQueue = (initial: readonly BridgeFault[] = []): BridgeFaultQueue => {
  let queue = [...initial];
  return {
    next: () => queue.shift() ?? null,
    set: (faults) => {
      queue = [...faults];
    },
    pending: () => queue.length,
  };
};

/** Whether the request is still executed before the fault answers it. */
export const runsBeforeFault = (fault: BridgeFault): boolean =>
  fault.kind !== "rate-limited" && fault.effect === "applied";
