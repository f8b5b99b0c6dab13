// Composition root of the local Upstash REST endpoint: connects to Redis, then serves Upstash's protocol on node:http.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { Redis, type RedisOptions } from "ioredis";
import { type BridgeFault, createBridgeFaultQueue } from "./bridge-faults.ts";
import { type BridgeRequestEvent, createBridgeHandler } from "./handle-bridge-request.ts";
import { createTransactionConnectionPool } from "./transaction-connection-pool.ts";

export type { BridgeFault, BridgeFaultEffect } from "./bridge-faults.ts";
export type { BridgeRequestEvent } from "./handle-bridge-request.ts";

export interface UpstashBridgeOptions {
  readonly redisUrl: string;
  readonly token: string;
  /** 0 (the default) picks a free port; the bridge reports the real one. */
  readonly port?: number;
  readonly host?: string;
  /** Per Redis command, so a stuck Redis fails the request (504) instead of hanging it. */
  readonly commandTimeoutMs?: number;
  readonly maxBodyBytes?: number;
  /** Connections reserved for `/multi-exec`, each holding one transaction at a time. */
  readonly transactionConnections?: number;
  readonly onRequest?: (event: BridgeRequestEvent) => void;
  /** Scripted failures, one per request in order (see bridge-faults.ts); `setFaults` replaces them. */
  readonly faults?: readonly BridgeFault[];
}

export interface UpstashBridge {
  readonly url: string;
  readonly port: number;
  /** Replaces the scripted failures: the next requests take them in order, then the bridge answers normally. */
  setFaults(faults: readonly BridgeFault[]): void;
  /** Scripted failures not yet used. */
  pendingFaults(): number;
  /** Delays every request by `ms` before serving it (a slow or distant Upstash); 0 turns it off. */
  setLatency(ms: number): void;
  close(): Promise<void>;
}

export const UPSTASH_MAX_BODY_BYTES = 10 * 1024 * 1024;
const DEFAULT_COMMAND_TIMEOUT_MS = 10_000;
const DEFAULT_TRANSACTION_CONNECTIONS = 4;

export async function startUpstashBridge(options: UpstashBridgeOptions): Promise<UpstashBridge> {
  if (options.token.length === 0) throw new Error("startUpstashBridge: the token must not be empty");
  const redisOptions: RedisOptions = {
    lazyConnect: true,
    commandTimeout: options.commandTimeoutMs ?? DEFAULT_COMMAND_TIMEOUT_MS,
    // A command that may already have run is failed, never silently sent twice after a reconnect.
    autoResendUnfulfilledCommands: false,
    connectionName: "upstash-bridge",
  };
  const redis = new Redis(options.redisUrl, redisOptions);
  // Connection errors surface per request (502); without a listener ioredis would print each one.
  let lastConnectionError: unknown;
  redis.on("error", (error: unknown) => {
    lastConnectionError = error;
  });
  try {
    await redis.connect();
  } catch (error) {
    redis.disconnect();
    const cause = lastConnectionError ?? error;
    const reason = cause instanceof Error ? cause.message : String(cause);
    throw new Error(`upstash bridge cannot reach Redis at ${redactRedisUrl(options.redisUrl)}: ${reason}`);
  }

  const transactions = createTransactionConnectionPool({
    size: options.transactionConnections ?? DEFAULT_TRANSACTION_CONNECTIONS,
    connect: () => {
      const connection = new Redis(options.redisUrl, redisOptions);
      connection.on("error", () => {});
      return connection;
    },
  });
  let syncToken = 0;
  const faults = createBridgeFaultQueue(options.faults);
  let latencyMs = 0;
  const server = createServer(
    createBridgeHandler({
      redis,
      transactions,
      token: options.token,
      maxBodyBytes: options.maxBodyBytes ?? UPSTASH_MAX_BODY_BYTES,
      nextSyncToken: () => String(++syncToken),
      onRequest: options.onRequest,
      faults,
      latencyMs: () => latencyMs,
    }),
  );

  const host = options.host ?? "127.0.0.1";
  try {
    await listen(server, options.port ?? 0, host);
  } catch (error) {
    transactions.close();
    redis.disconnect();
    throw error;
  }
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://${host.includes(":") ? `[${host}]` : host}:${port}`,
    port,
    setFaults: (next) => faults.set(next),
    pendingFaults: () => faults.pending(),
    setLatency: (ms) => {
      latencyMs = ms;
    },
    async close() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        // Keep-alive sockets from fetch would otherwise hold close() open; in-flight requests still finish.
        server.closeIdleConnections?.();
      });
      transactions.close();
      redis.disconnect();
    },
  };
}

/** The Redis URL without user name or password, for logs and errors. */
export function redactRedisUrl(redisUrl: string): string {
  try {
    const url = new URL(redisUrl);
    url.username = "";
    url.password = "";
    return url.toString();
  } catch {
    return "<unparseable Redis URL>";
  }
}

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
}
