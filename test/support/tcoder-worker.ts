// Runs worker-image/main.ts (the Fly worker) as a real Bun process, as Fly does: env in, JSON log lines and exit code out. Each
// worker leads its own process group, so a test can kill it together with the ffmpeg it spawned.
import { type ChildProcess, spawn } from "node:child_process";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
export const BUN = join(ROOT, "node_modules/.bin/bun");
export const WORKER_ENTRY = join(ROOT, "worker-image/main.ts");

export interface WorkerExitStatus {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

export interface LogLine {
  readonly event: string;
  readonly [field: string]: unknown;
}

export interface TcoderWorker {
  readonly pid: number;
  readonly exited: Promise<WorkerExitStatus>;
  readonly logs: () => readonly LogLine[];
  readonly stderr: () => string;
  /** Resolves with the first log line of `event` that `match` accepts (rejects if the worker exits first). */
  waitForLog(event: string, match?: (line: LogLine) => boolean, timeoutMs?: number): Promise<LogLine>;
  /** Signals the worker alone (what Fly's init does on a stop). */
  signal(name: NodeJS.Signals): void;
  /** SIGKILL to the whole group: the worker and its ffmpeg, as when a machine dies. */
  killGroup(): void;
}

const live = new Set<ChildProcess>();
process.once("exit", () => {
  for (const child of live) if (child.pid !== undefined) tryKill(-child.pid, "SIGKILL");
});

const tryKill = (pid: number, signal: NodeJS.Signals) => {
  try {
    process.kill(pid, signal);
  } catch {
    // already gone
  }
};

/**
 * Only PATH (and HOME) from the test's environment: nothing else leaks into the worker's configuration. `launcher`
 * runs before Bun and must exec it (e.g. `taskset -c 0`: a worker and its ffmpeg on one core, like a one-CPU
 * machine), so the pid and process group stay the worker's.
 */
export const startTcoderWorker = (
  env: Readonly<Record<string, string>>,
  cwd = ROOT,
  launcher: readonly string[] = [],
): TcoderWorker => {
  const [command = BUN, ...args] = [...launcher, BUN, WORKER_ENTRY];
  const child = spawn(command, args, {
    cwd,
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "/tmp", ...env },
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  if (child.pid === undefined) throw new Error("the worker did not start");
  live.add(child);
  const pid = child.pid;
  const logs: LogLine[] = [];
  const waiters = new Set<() => void>();
  let partial = "";
  let stderr = "";
  child.stdout?.on("data", (chunk: Buffer) => {
    const lines = (partial + chunk.toString()).split("\n");
    partial = lines.pop() ?? "";
    for (const line of lines) {
      if (line.trim() === "") continue;
      try {
        logs.push(JSON.parse(line) as LogLine);
      } catch {
        logs.push({ event: "unparsed", line });
      }
    }
    for (const wake of waiters) wake();
  });
  child.stderr?.on("data", (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const exited = new Promise<WorkerExitStatus>((resolveExit) =>
    child.once("close", (code, signal) => {
      live.delete(child);
      for (const wake of waiters) wake();
      resolveExit({ code, signal });
    }),
  );
  let done = false;
  void exited.then(() => {
    done = true;
  });

  return {
    pid,
    exited,
    logs: () => logs,
    stderr: () => stderr,
    waitForLog(event, match = () => true, timeoutMs = 30_000) {
      return new Promise((resolveLine, reject) => {
        const timer = setTimeout(
          () => finish(new Error(`no "${event}" log within ${timeoutMs} ms`)),
          timeoutMs,
        );
        const check = () => {
          const line = logs.find((l) => l.event === event && match(l));
          if (line !== undefined) finish(line);
          else if (done) finish(new Error(`the worker exited before logging "${event}": ${stderr.trim()}`));
        };
        const finish = (outcome: LogLine | Error) => {
          clearTimeout(timer);
          waiters.delete(check);
          if (outcome instanceof Error) reject(outcome);
          else resolveLine(outcome);
        };
        waiters.add(check);
        check();
      });
    },
    signal: (name) => tryKill(pid, name),
    killGroup: () => tryKill(-pid, "SIGKILL"),
  };
};
