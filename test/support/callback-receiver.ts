// A stand-in for the control plane's POST /internal/callbacks: checks each signature and body with the shared
// modules and keeps what arrived, so tests see exactly what a worker reported.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { SIGNATURE_HEADER } from "../../core/signature-header.ts";
import { type CallbackBody, parseCallbackBody } from "../../shell/callbacks/callback-body.ts";
import { verifyBody } from "../../shell/signing/hmac-signature.ts";

export interface CallbackReceiver {
  readonly url: string;
  readonly secret: string;
  /** Verified, parsed bodies in arrival order. */
  readonly received: CallbackBody[];
  /** Requests refused (bad signature or body), with the reason. */
  readonly refused: string[];
  /** The status to answer verified callbacks with (default 200). */
  respondWith(status: number): void;
  close(): Promise<void>;
}

export const startCallbackReceiver = async (secret: string): Promise<CallbackReceiver> => {
  const received: CallbackBody[] = [];
  const refused: string[] = [];
  let status = 200;
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", async () => {
      const text = Buffer.concat(chunks).toString("utf8");
      const header = req.headers[SIGNATURE_HEADER.toLowerCase()];
      const verified = await verifyBody(typeof header === "string" ? header : null, text, {
        secrets: [secret],
        nowMs: Date.now(),
        toleranceSeconds: 300,
      });
      const parsed = parseCallbackBody(text);
      if (verified.isErr() || parsed.isErr()) {
        refused.push(verified.isErr() ? verified.error.code : parsed.isErr() ? parsed.error.message : "?");
        res.writeHead(401).end();
        return;
      }
      if (status < 300) received.push(parsed.value);
      res.writeHead(status, { "content-type": "application/json" }).end("{}");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/internal/callbacks`,
    secret,
    received,
    refused,
    respondWith: (next) => {
      status = next;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
};
