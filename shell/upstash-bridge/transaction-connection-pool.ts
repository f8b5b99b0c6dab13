// A small pool of Redis connections, each lent to one transaction at a time so MULTI/EXEC blocks never interleave.
import type { Redis } from "ioredis";

export interface TransactionConnectionPool {
  /** Waits for a free connection (FIFO) once `size` connections are lent out. */
  acquire(): Promise<Redis>;
  /** "broken" drops the connection: after a timeout or disconnect its MULTI state is unknown. */
  release(connection: Redis, state: "reusable" | "broken"): void;
  close(): void;
}

export function createTransactionConnectionPool(opts: {
  readonly size: number;
  readonly connect: () => Redis;
}): TransactionConnectionPool {
  const idle: Redis[] = [];
  const lent = new Set<Redis>();
  const waiters: { resolve: (connection: Redis) => void; reject: (error: Error) => void }[] = [];
  let closed = false;

  const lend = (connection: Redis): Redis => {
    lent.add(connection);
    return connection;
  };

  return {
    acquire() {
      if (closed) return Promise.reject(new Error("the bridge is closed"));
      const ready = idle.pop();
      if (ready !== undefined) return Promise.resolve(lend(ready));
      if (lent.size < opts.size) return Promise.resolve(lend(opts.connect()));
      return new Promise((resolve, reject) => waiters.push({ resolve, reject }));
    },
    release(connection, state) {
      if (!lent.delete(connection)) return;
      if (state === "broken" || closed) {
        connection.disconnect();
        if (closed) return;
        const next = waiters.shift();
        if (next !== undefined) next.resolve(lend(opts.connect()));
        return;
      }
      const next = waiters.shift();
      if (next !== undefined) next.resolve(lend(connection));
      else idle.push(connection);
    },
    close() {
      closed = true;
      for (const waiter of waiters.splice(0)) waiter.reject(new Error("the bridge is closed"));
      for (const connection of [...idle.splice(0), ...lent]) connection.disconnect();
      lent.clear();
    },
  };
}
