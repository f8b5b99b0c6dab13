// Writes a scripted fault onto the wire in place of the bridge's answer: Upstash's 429, a proxy's HTML, a reset.
import type { ServerResponse } from "node:http";
import type { BridgeFault } from "./bridge-faults.ts";

// Upstash's monthly-limit error, as its REST API words it.
const LIMIT_ERROR = "ERR max requests limit exceeded. Limit: 10000, Usage: 10000.";

const html = (status: number, title: string): string =>
  `<html>\r\n<head><title>${status} ${title}</title></head>\r\n<body>\r\n<center><h1>${status} ${title}</h1></center>\r\n<hr><center>proxy</center>\r\n</body>\r\n</html>\r\n`;

const TITLES: Readonly<Record<number, string>> = {
  500: "Internal Server Error",
  502: "Bad Gateway",
  503: "Service Temporarily Unavailable",
  504: "Gateway Time-out",
};

export function answerBridgeFault(res: ServerResponse, fault: BridgeFault): void {
  switch (fault.kind) {
    case "rate-limited":
      res.writeHead(429, { "content-type": "application/json" });
      res.end(JSON.stringify({ error: LIMIT_ERROR }));
      return;
    case "proxy-page":
      res.writeHead(fault.status, { "content-type": "text/html" });
      res.end(html(fault.status, TITLES[fault.status] ?? "Error"));
      return;
    case "not-json":
      res.writeHead(200, { "content-type": "text/html" });
      res.end("<html><body>Please sign in to continue.</body></html>");
      return;
    case "reset": {
      // A TCP reset where the runtime offers one (Node), else a plain close: either way, no answer.
      const socket = res.socket;
      if (typeof socket?.resetAndDestroy === "function") socket.resetAndDestroy();
      else socket?.destroy();
      return;
    }
    default: {
      const unhandled: never = fault;
      throw new Error(`unhandled bridge fault ${JSON.stringify(unhandled)}`);
    }
  }
}
