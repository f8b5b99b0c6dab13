// Scripted failures for the fake Machines API: one queue per operation, each request takes the next fault.

export type FakeFlyOperation = "create" | "get" | "list" | "destroy" | "wait" | "signal" | "stop";

/**
 * What happens to the operation itself when its reply fails: `dropped` (nothing happened), `applied` (it took
 * effect before the failure, the ambiguous case), `applied-after-next-list` (create only: the machine appears
 * right after the next list request is answered, so a look-up made straight after the failure misses it).
 */
export type FakeFlyFaultEffect = "dropped" | "applied" | "applied-after-next-list";

export type FakeFlyFault =
  /** 429 with `Retry-After: <seconds>` (no header when null); nothing happens. */
  | { readonly kind: "rate-limited"; readonly retryAfterSeconds: number | null }
  | {
      readonly kind: "server-error";
      readonly status: 500 | 502 | 503 | 504;
      readonly effect: FakeFlyFaultEffect;
    }
  /** Never answers (until the client gives up or the fake closes). */
  | { readonly kind: "hang"; readonly effect: FakeFlyFaultEffect }
  /** 412 with Fly's "insufficient resources" body and `status: "insufficient_capacity"`; nothing happens. */
  | { readonly kind: "capacity" };

export type FakeFlyFaults = Partial<Record<FakeFlyOperation, readonly FakeFlyFault[]>>;

export interface FaultQueue {
  /** The fault for this request of `operation`, or null to answer normally. */
  next(operation: FakeFlyOperation): FakeFlyFault | null;
  /** Replaces every queue. */
  set(faults: FakeFlyFaults): void;
  /** Faults not yet used, per operation. */
  pending(): Record<FakeFlyOperation, number>;
}

const OPERATIONS: readonly FakeFlyOperation[] = [
  "create",
  "get",
  "list",
  "destroy",
  "wait",
  "signal",
  "stop",
];

export const createFaultQueue = (initial: FakeFlyFaults = {}): FaultQueue => {
  let queues = toQueues(initial);
  return {
    next: (operation) => queues[operation].shift() ?? null,
    set: (faults) => {
      queues = toQueues(faults);
    },
    pending: () =>
      Object.fromEntries(OPERATIONS.map((op) => [op, queues[op].length])) as Record<FakeFlyOperation, number>,
  };
};

const toQueues = (faults: FakeFlyFaults): Record<FakeFlyOperation, FakeFlyFault[]> => {
  for (const [operation, list] of Object.entries(faults)) {
    if (!OPERATIONS.includes(operation as FakeFlyOperation)) {
      throw new Error(`fake Fly faults: unknown operation "${operation}"`);
    }
    const deferred = (list ?? []).some((f) => "effect" in f && f.effect === "applied-after-next-list");
    if (deferred && operation !== "create") {
      throw new Error(`fake Fly faults: "applied-after-next-list" only applies to create, not ${operation}`);
    }
  }
  return Object.fromEntries(OPERATIONS.map((op) => [op, [...(faults[op] ?? [])]])) as Record<
    FakeFlyOperation,
    FakeFlyFault[]
  >;
};
