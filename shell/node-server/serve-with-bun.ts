// Serves a fetch handler with Bun.serve (Bun's native HTTP server).
import type { FetchHandler, RunningServer } from "./serve-with-node.ts";

export const serveWithBun = async (
  handler: FetchHandler,
  port: number,
  hostname: string,
): Promise<RunningServer> => {
  const server = Bun.serve({ port, hostname, fetch: handler, idleTimeout: 60 });
  return {
    port: server.port ?? port,
    close: async () => {
      await server.stop();
    },
  };
};
