// Finds a TCP port on 127.0.0.1 that nothing listens on (for servers that cannot bind port 0, like redis-server).
import { createServer } from "node:net";

export const LOOPBACK = "127.0.0.1";

/** Asks the kernel for an ephemeral port, then releases it. Racy by nature: callers retry on collision. */
export const findFreePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once("error", reject);
    server.listen(0, LOOPBACK, () => {
      const address = server.address();
      if (address === null || typeof address === "string") {
        server.close();
        reject(new Error("could not read the port of a probe server"));
        return;
      }
      server.close(() => resolve(address.port));
    });
  });
