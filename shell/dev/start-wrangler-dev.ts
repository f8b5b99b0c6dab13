// The control plane as it runs on Cloudflare: the real Worker under `wrangler dev` (workerd via Miniflare), with
// its queue consumer and producer, configured from a generated env file (secrets never go on a command line).
import { type ChildProcess, spawn } from "node:child_process";
import { chmod, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { lineSplitter } from "./prefixed-log.ts";

export interface WranglerDevOptions {
  /** The repository root (wrangler.toml lives there). */
  readonly root: string;
  readonly port: number;
  readonly inspectorPort: number;
  /** The Worker's vars and secrets for this run; written to `envFile` (mode 600), removed on stop. */
  readonly env: Readonly<Record<string, string>>;
  readonly envFile: string;
  /** Miniflare's local state (queues, caches). */
  readonly persistTo: string;
  readonly log: (line: string) => void;
  readonly readyTimeoutMs?: number;
}

export interface WranglerDev {
  readonly url: string;
  stop(): Promise<void>;
}

const STOP_GRACE_MS = 10_000;

/** dotenv syntax: double-quoted, with backslashes, quotes and newlines escaped. */
export const toEnvFile = (env: Readonly<Record<string, string>>): string =>
  Object.entries(env)
    .map(([name, value]) => {
      if (!/^[A-Z_][A-Z0-9_]*$/.test(name)) throw new Error(`not an environment variable name: ${name}`);
      return `${name}="${value.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n")}"`;
    })
    .join("\n")
    .concat("\n");

const killGroup = (child: ChildProcess, signal: NodeJS.Signals): void => {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // already gone
  }
};

const liveGroups = new Set<ChildProcess>();
process.once("exit", () => {
  for (const child of liveGroups) killGroup(child, "SIGKILL");
});

export const startWranglerDev = async (options: WranglerDevOptions): Promise<WranglerDev> => {
  await writeFile(options.envFile, toEnvFile(options.env), { mode: 0o600 });
  await chmod(options.envFile, 0o600);
  const url = `http://127.0.0.1:${options.port}`;
  const args = [
    join(options.root, "node_modules/wrangler/bin/wrangler.js"),
    "dev",
    ...["--config", join(options.root, "wrangler.toml")],
    ...["--env-file", options.envFile],
    ...["--ip", "127.0.0.1", "--port", String(options.port)],
    ...["--inspector-port", String(options.inspectorPort)],
    ...["--persist-to", options.persistTo],
    "--local",
    "--test-scheduled",
    "--show-interactive-dev-session=false",
    ...["--log-level", "log"],
  ];
  // Its own process group (with workerd): Ctrl-C in make dev reaches the orchestrator, which stops the Worker
  // only after the machines that report to it.
  const child = spawn("node", args, {
    cwd: options.root,
    env: {
      PATH: process.env.PATH ?? "",
      HOME: process.env.HOME ?? "/tmp",
      NO_COLOR: "1",
      FORCE_COLOR: "0",
      WRANGLER_SEND_METRICS: "false",
      WRANGLER_LOG_PATH: join(options.persistTo, "logs"),
    },
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  liveGroups.add(child);
  const recent: string[] = [];
  const lines = (line: string) => {
    if (line.trim() === "") return;
    recent.push(line);
    if (recent.length > 30) recent.shift();
    options.log(line);
  };
  const out = lineSplitter(lines);
  const err = lineSplitter(lines);
  child.stdout?.on("data", (chunk: Buffer) => out.push(chunk));
  child.stderr?.on("data", (chunk: Buffer) => err.push(chunk));
  const exited = new Promise<void>((resolve) => {
    child.once("exit", () => {
      liveGroups.delete(child);
      resolve();
    });
    child.once("error", () => {
      liveGroups.delete(child);
      resolve();
    });
  });
  let done = false;
  void exited.then(() => {
    done = true;
  });

  const stop = async () => {
    if (!done) {
      killGroup(child, "SIGTERM");
      const timedOut = await Promise.race([exited.then(() => false), sleep(STOP_GRACE_MS, true)]);
      if (timedOut) killGroup(child, "SIGKILL");
      await exited;
    }
    // workerd may outlive wrangler for a moment; nothing of the group may stay behind.
    killGroup(child, "SIGKILL");
    await rm(options.envFile, { force: true });
  };

  const deadline = Date.now() + (options.readyTimeoutMs ?? 90_000);
  while (Date.now() < deadline) {
    if (done) {
      await stop();
      throw new Error(`wrangler dev exited before it was ready:\n${recent.join("\n")}`);
    }
    try {
      const response = await fetch(`${url}/health`, { signal: AbortSignal.timeout(2_000) });
      await response.arrayBuffer();
      if (response.ok) return { url, stop };
    } catch {
      // not listening yet
    }
    await sleep(200);
  }
  await stop();
  throw new Error(`wrangler dev did not answer ${url}/health in time:\n${recent.join("\n")}`);
};
