// A client's webhook endpoint that keeps each delivery's raw bytes and signature header, unverified, so a test can
// check them the way a receiver would (with the SDK's verifyWebhook on the raw body).
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { SIGNATURE_HEADER } from "../../core/signature-header.ts";

export interface RawDelivery {
  readonly body: Buffer;
  readonly signature: string;
}

export interface RawWebhookReceiver {
  /** The endpoint's URL (path `/hook`). */
  readonly url: string;
  /** Deliveries in arrival order. */
  readonly deliveries: RawDelivery[];
  close(): Promise<void>;
}

export const startRawWebhookReceiver = async (status = 204): Promise<RawWebhookReceiver> => {
  const deliveries: RawDelivery[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      deliveries.push({
        body: Buffer.concat(chunks),
        signature: String(req.headers[SIGNATURE_HEADER.toLowerCase()] ?? ""),
      });
      res.writeHead(status).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`,
    deliveries,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
};
