// An ExecutionContext for servers that are not Workers: waitUntil tracks the promise so shutdown can drain it.

export interface BackgroundTasks {
  /** Hono reads waitUntil/passThroughOnException from what it gets as the execution context. */
  readonly context: ExecutionContext;
  /** Resolves when every task started so far has settled. */
  drain(): Promise<void>;
}

export const backgroundTasks = (): BackgroundTasks => {
  const pending = new Set<Promise<unknown>>();
  return {
    context: {
      waitUntil(promise: Promise<unknown>) {
        const tracked = promise.catch(() => undefined).finally(() => pending.delete(tracked));
        pending.add(tracked);
      },
      passThroughOnException() {},
      props: {},
    } as unknown as ExecutionContext,
    async drain() {
      while (pending.size > 0) await Promise.allSettled([...pending]);
    },
  };
};
