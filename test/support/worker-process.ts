// Runs a Bun worker script as a real child process and collects the JSON lines it prints, for crash tests.
import { type ChildProcess, spawn } from "node:child_process";
import { resolve } from "node:path";

const ROOT = resolve(import.meta.dirname, "../..");
const BUN = resolve(ROOT, "node_modules/.bin/bun");

export interface WorkerProcess {
  readonly child: ChildProcess;
  readonly events: Record<string, unknown>[];
  /** Resolves with the exit code, or the signal that ended it. */
  readonly exited: Promise<number | NodeJS.Signals>;
}

export const startWorkerProcess = (script: string, args: readonly string[]): WorkerProcess => {
  const child = spawn(BUN, [script, ...args], { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] });
  const events: Record<string, unknown>[] = [];
  let buffered = "";
  let stderr = "";
  child.stdout?.on("data", (chunk: Buffer) => {
    buffered += chunk.toString();
    const lines = buffered.split("\n");
    buffered = lines.pop() ?? "";
    for (const line of lines) if (line.trim()) events.push(JSON.parse(line));
  });
  child.stderr?.on("data", (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const exited = new Promise<number | NodeJS.Signals>((done) =>
    child.on("exit", (code, signal) => {
      if (code !== null && code !== 0 && code !== 3)
        process.stderr.write(`worker ${args.join(" ")}: ${stderr}\n`);
      done(signal ?? code ?? -1);
    }),
  );
  return { child, events, exited };
};
