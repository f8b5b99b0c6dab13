// Client URLs on the Node/Bun server: the pinned fetch connects to the address the SSRF check resolved (whatever the
// name resolves to by then), and URL ingest tells a client why a source failed in a short reason, not the network
// stack's words.
import { randomBytes } from "node:crypto";
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import { type AddressInfo, createServer as createNetServer, type Socket } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { pinnedFetch } from "../../shell/node-server/pinned-fetch.ts";
import { type Harness, startHarness } from "./control-plane-harness.ts";

let h: Harness;
let source: Server;
let port: number;
const seen: { url: string; headers: IncomingHttpHeaders; body: string }[] = [];
const sockets = new Set<Socket>();

beforeAll(async () => {
  h = await startHarness("cp-outbound");
  source = createServer((req, res) => {
    let body = "";
    req.on("data", (chunk) => {
      body += chunk;
    });
    req.on("end", () => {
      seen.push({ url: req.url ?? "", headers: req.headers, body });
      if (req.url === "/cut.mp4") {
        // Half the promised bytes, then the connection drops.
        res.writeHead(200, { "content-type": "video/mp4", "content-length": "40000" });
        res.write(randomBytes(20_000), () => req.socket.destroy());
        return;
      }
      if (req.url === "/moved") {
        res.writeHead(302, { location: "/elsewhere" }).end();
        return;
      }
      res.writeHead(200, { "content-type": "text/plain", "x-seen": "yes" }).end(`hello ${req.method}`);
    });
  });
  source.on("connection", (socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => source.listen(0, "127.0.0.1", resolve));
  port = (source.address() as AddressInfo).port;
});
afterAll(async () => {
  for (const socket of sockets) socket.destroy();
  await new Promise<void>((resolve) => source.close(() => resolve()));
  await h?.close();
});

const timeout = () => AbortSignal.timeout(5_000);

describe("pinnedFetch", () => {
  it("connects to the given address for a name that resolves nowhere, keeping the name as the Host", async () => {
    const response = await pinnedFetch(
      `http://rebind.invalid:${port}/hello?x=1`,
      { method: "POST", headers: { "content-type": "application/json" }, body: '{"a":1}', signal: timeout() },
      "127.0.0.1",
    );
    expect(response.status).toBe(200);
    expect(response.headers.get("x-seen")).toBe("yes");
    expect(await response.text()).toBe("hello POST");
    const last = seen.at(-1);
    expect(last).toMatchObject({ url: "/hello?x=1", body: '{"a":1}' });
    expect(last?.headers.host).toBe(`rebind.invalid:${port}`);
  });

  it("hands redirects back unfollowed", async () => {
    const response = await pinnedFetch(
      `http://rebind.invalid:${port}/moved`,
      { method: "GET", redirect: "manual", signal: timeout() },
      "127.0.0.1",
    );
    expect(response.status).toBe(302);
    expect(response.headers.get("location")).toBe("/elsewhere");
  });

  it("speaks TLS to the pinned address under the URL's name (SNI, so the certificate is checked for the name)", async () => {
    // A bare TCP listener: it reads the ClientHello (the server name travels in clear) and hangs up.
    const hello: Buffer[] = [];
    const tcp = createNetServer((socket) => {
      socket.once("data", (chunk) => {
        hello.push(chunk);
        socket.destroy();
      });
    });
    await new Promise<void>((resolve) => tcp.listen(0, "127.0.0.1", resolve));
    const tlsPort = (tcp.address() as AddressInfo).port;
    try {
      await expect(
        pinnedFetch(
          `https://videos.rebind.invalid:${tlsPort}/a.mp4`,
          { method: "GET", signal: timeout() },
          "127.0.0.1",
        ),
      ).rejects.toBeDefined();
      expect(Buffer.concat(hello).includes("videos.rebind.invalid")).toBe(true);
    } finally {
      await new Promise<void>((resolve) => tcp.close(() => resolve()));
    }
  });

  it("fails (and never reaches the server) when the pinned address refuses, whatever the name", async () => {
    const before = seen.length;
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const closedPort = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    await expect(
      pinnedFetch(`http://127.0.0.1:${closedPort}/`, { method: "GET", signal: timeout() }, "127.0.0.1"),
    ).rejects.toMatchObject({ code: "ECONNREFUSED" });
    expect(seen.length).toBe(before);
  });
});

describe("URL ingest's failures, as the client sees them", () => {
  const ingest = (inputUrl: string) =>
    h.api("/api/jobs", { method: "POST", json: { inputUrl, preset: "default" } });

  it("a source that drops the connection mid-body: 422 with a short reason, no storage key or socket text", async () => {
    const response = await ingest(`http://127.0.0.1:${port}/cut.mp4`);
    expect(response.status).toBe(422);
    const body = await response.json();
    expect(body).toEqual({ code: "ingest-failed", message: "the download was interrupted" });
  });

  it("a source that refuses connections: 422 naming the reason, not the error", async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const closedPort = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const response = await ingest(`http://127.0.0.1:${closedPort}/a.mp4`);
    expect(response.status).toBe(422);
    expect(await response.json()).toEqual({
      code: "ingest-failed",
      message: `fetching 127.0.0.1:${closedPort} failed: connection-refused`,
    });
  });
});
