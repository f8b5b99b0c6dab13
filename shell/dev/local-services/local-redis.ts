// Runs a real redis-server child process on a free loopback port (tests) or a chosen one (dev), with its data in a
// temporary directory (removed on stop) or a given one (kept).
import { type ChildProcess, spawn } from "node:child_process";
import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { findFreePort, LOOPBACK } from "./free-port.ts";
import { answersPing } from "./redis-ping.ts";
import type { RedisOptions, RedisRestartOptions, RunningRedis } from "./running-services.ts";

export interface LocalRedisOptions extends RedisOptions {
  /** Keep the data here (created if missing, never removed). Default: a temporary directory removed on stop. */
  readonly dataDir?: string;
  /** Receives redis-server's log lines. */
  readonly onLog?: (line: string) => void;
  /**
   * Run in its own process group, so a terminal's Ctrl-C reaches only its parent, which stops it after whatever
   * still needs it (make dev). The parent must then stop it: an exit handler kills it if the parent exits first.
   */
  readonly ownProcessGroup?: boolean;
}

/** A local redis-server that can also be frozen in place: connections stay open, nothing is answered. */
export interface LocalRedis extends RunningRedis {
  /** SIGSTOP: the server stops answering, as a stalled or partitioned store does, until resume(). */
  pause(): Promise<void>;
  /** SIGCONT: it answers again, working through what queued up meanwhile. */
  resume(): Promise<void>;
}

const PORT_ATTEMPTS = 5;
const READY_TIMEOUT_MS = 15_000;
const STOP_TIMEOUT_MS = 5_000;
const LOG_LINES_KEPT = 20;

// Children still running when this process exits are killed, so a crashed run leaves no redis-server behind.
const liveChildren = new Set<ChildProcess>();
process.once("exit", () => {
  for (const child of liveChildren) child.kill("SIGKILL");
});

export async function startLocalRedis(opts: LocalRedisOptions = {}): Promise<LocalRedis> {
  const ownDir = opts.dataDir === undefined;
  const dataDir = opts.dataDir ?? (await mkdtemp(join(tmpdir(), "tcoder-redis-")));
  await mkdir(dataDir, { recursive: true });
  const binary = process.env.REDIS_SERVER_PATH ?? "redis-server";
  let port = 0;
  let child: ChildProcess | undefined;
  try {
    for (let attempt = 1; child === undefined; attempt++) {
      port = await findFreePort();
      const started = await spawnRedis(binary, port, dataDir, opts);
      if (started.kind === "ready") child = started.child;
      else if (started.kind === "port-taken" && attempt < PORT_ATTEMPTS) continue;
      else throw new Error(`redis-server did not start on port ${port}: ${started.log}`);
    }
  } catch (error) {
    if (ownDir) await rm(dataDir, { recursive: true, force: true });
    throw error;
  }

  let current: ChildProcess = child;
  return {
    host: LOOPBACK,
    port,
    url: `redis://${LOOPBACK}:${port}`,
    async restart({ signal = "SIGKILL" }: RedisRestartOptions = {}) {
      await stopChild(current, signal);
      for (let attempt = 1; ; attempt++) {
        const started = await spawnRedis(binary, port, dataDir, opts);
        if (started.kind === "ready") {
          current = started.child;
          return;
        }
        // The old socket can linger for a moment after a kill; the port is ours, so wait and retry.
        if (started.kind === "port-taken" && attempt < PORT_ATTEMPTS) await sleep(200 * attempt);
        else throw new Error(`redis-server did not restart on port ${port}: ${started.log}`);
      }
    },
    async pause() {
      current.kill("SIGSTOP");
    },
    async resume() {
      current.kill("SIGCONT");
    },
    async stop() {
      // A paused server would never see the SIGTERM through.
      current.kill("SIGCONT");
      await stopChild(current, "SIGTERM");
      if (ownDir) await rm(dataDir, { recursive: true, force: true });
    },
  };
}

type SpawnOutcome =
  | { readonly kind: "ready"; readonly child: ChildProcess }
  | { readonly kind: "port-taken"; readonly log: string }
  | { readonly kind: "failed"; readonly log: string };

async function spawnRedis(
  binary: string,
  port: number,
  dataDir: string,
  opts: LocalRedisOptions,
): Promise<SpawnOutcome> {
  const persistence = opts.appendonly
    ? ["--appendonly", "yes", "--appendfsync", "everysec"]
    : ["--appendonly", "no"];
  // `--logfile ""` logs to stdout, read below: the last lines explain a failed start.
  const args = [
    ...["--port", String(port), "--bind", LOOPBACK, "--protected-mode", "no", "--daemonize", "no"],
    ...["--dir", dataDir, "--logfile", "", "--save", "", ...persistence],
  ];
  const child = spawn(binary, args, {
    stdio: ["ignore", "pipe", "pipe"],
    detached: opts.ownProcessGroup === true,
  });
  liveChildren.add(child);
  const recent: string[] = [];
  const collect = (chunk: Buffer) => {
    for (const line of chunk.toString().split("\n")) {
      if (line.trim() === "") continue;
      recent.push(line);
      if (recent.length > LOG_LINES_KEPT) recent.shift();
      opts.onLog?.(line);
    }
  };
  child.stdout?.on("data", collect);
  child.stderr?.on("data", collect);
  let exited = false;
  // "close", not "exit": by then its last log lines (say, "address already in use") have been read.
  child.once("close", () => {
    exited = true;
    liveChildren.delete(child);
  });
  const spawnError = new Promise<Error>((resolve) =>
    child.once("error", (error) => {
      liveChildren.delete(child);
      resolve(error);
    }),
  );

  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (Date.now() < deadline) {
    const failure = await Promise.race([spawnError, sleep(50)]);
    if (failure instanceof Error) return { kind: "failed", log: failure.message };
    if (exited) {
      const log = recent.join("\n");
      return { kind: /address already in use/i.test(log) ? "port-taken" : "failed", log: lastLines(log) };
    }
    // A child that lost the port race exits at once; re-checking after the PONG keeps a stranger from counting.
    if ((await answersPing(LOOPBACK, port)) && !exited) return { kind: "ready", child };
  }
  await stopChild(child, "SIGKILL");
  return { kind: "failed", log: `no PONG within ${READY_TIMEOUT_MS} ms` };
}

async function stopChild(child: ChildProcess, signal: NodeJS.Signals): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  child.kill(signal);
  const timedOut = await Promise.race([exited.then(() => false), sleep(STOP_TIMEOUT_MS, true)]);
  if (timedOut) {
    child.kill("SIGKILL");
    await exited;
  }
}

const lastLines = (log: string): string => log.trim().split("\n").slice(-5).join(" | ");
