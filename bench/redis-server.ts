// A dedicated, non-persistent redis-server child on a free loopback port, for one benchmark run.
import { type ChildProcess, spawn } from "node:child_process";
import { createServer } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";
import { Redis } from "ioredis";

const LOOPBACK = "127.0.0.1";
const PORT_ATTEMPTS = 5;
const READY_TIMEOUT_MS = 10_000;
const STOP_TIMEOUT_MS = 5_000;

export interface BenchRedis {
  readonly url: string;
  readonly host: string;
  readonly port: number;
  /** Stops the server (SIGTERM, then SIGKILL); safe to call twice. */
  stop(): Promise<void>;
}

// A crashed or interrupted benchmark must not leave a redis-server behind.
const liveChildren = new Set<ChildProcess>();
process.once("exit", () => {
  for (const child of liveChildren) child.kill("SIGKILL");
});

const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once("error", reject);
    probe.listen(0, LOOPBACK, () => {
      const address = probe.address();
      const port = typeof address === "object" && address !== null ? address.port : 0;
      probe.close(() => (port > 0 ? resolve(port) : reject(new Error("could not read a probe port"))));
    });
  });

const answersPing = async (port: number): Promise<boolean> => {
  const client = new Redis({
    host: LOOPBACK,
    port,
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  client.on("error", () => {});
  try {
    await client.connect();
    return (await client.ping()) === "PONG";
  } catch {
    return false;
  } finally {
    client.disconnect();
  }
};

const stopChild = async (child: ChildProcess): Promise<void> => {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  child.kill("SIGTERM");
  const timedOut = await Promise.race([exited.then(() => false), sleep(STOP_TIMEOUT_MS, true)]);
  if (timedOut) {
    child.kill("SIGKILL");
    await exited;
  }
};

const spawnOn = async (port: number): Promise<ChildProcess | "exited"> => {
  const args = ["--port", String(port), "--bind", LOOPBACK, "--save", "", "--appendonly", "no"];
  const child = spawn("redis-server", [...args, "--daemonize", "no", "--loglevel", "warning"], {
    stdio: ["ignore", "ignore", "inherit"],
  });
  liveChildren.add(child);
  let exited = false;
  child.once("exit", () => {
    exited = true;
    liveChildren.delete(child);
  });
  const spawnError = new Promise<Error>((resolve) => child.once("error", resolve));
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (Date.now() < deadline) {
    const failure = await Promise.race([spawnError, sleep(50)]);
    if (failure instanceof Error) throw new Error(`cannot run redis-server: ${failure.message}`);
    if (exited) return "exited";
    // Re-checking `exited` after the PONG keeps a stranger on the same port from counting as ours.
    if ((await answersPing(port)) && !exited) return child;
  }
  await stopChild(child);
  throw new Error(`redis-server gave no PONG on port ${port} within ${READY_TIMEOUT_MS} ms`);
};

export const startBenchRedis = async (): Promise<BenchRedis> => {
  for (let attempt = 1; attempt <= PORT_ATTEMPTS; attempt++) {
    const port = await freePort();
    const child = await spawnOn(port);
    // A child that exits at once most likely lost the port to someone else: try another.
    if (child === "exited") continue;
    return { url: `redis://${LOOPBACK}:${port}`, host: LOOPBACK, port, stop: () => stopChild(child) };
  }
  throw new Error(`redis-server did not start after ${PORT_ATTEMPTS} ports`);
};
