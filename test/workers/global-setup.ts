// Vitest globalSetup for the workers project. It runs under that project's workerd module resolution, so it only
// uses Node built-ins: the services start in a child process (worker-services.ts, under Bun) that prints the
// Worker's env, which is provided to the tests (and to Miniflare's bindings in vitest.config.ts).
import { spawn } from "node:child_process";
import { join } from "node:path";
import { createInterface } from "node:readline";
import type { TestProject } from "vitest/node";

declare module "vitest" {
  export interface ProvidedContext {
    /** The Worker's env (vars and secrets) pointing at this run's services. */
    workerEnv: Record<string, string>;
  }
}

const START_TIMEOUT_MS = 60_000;

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const bun = join(project.config.root, "node_modules/.bin/bun");
  const child = spawn(bun, ["test/workers/worker-services.ts"], {
    cwd: project.config.root,
    stdio: ["pipe", "pipe", "inherit"],
  });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const env = await new Promise<Record<string, string>>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error("worker services did not start in time")),
      START_TIMEOUT_MS,
    );
    child.once("exit", (code) => reject(new Error(`worker services exited early (code ${code})`)));
    createInterface({ input: child.stdout }).on("line", (line) => {
      if (!line.startsWith("READY ")) return;
      clearTimeout(timer);
      resolve(JSON.parse(line.slice("READY ".length)) as Record<string, string>);
    });
  });
  project.provide("workerEnv", env);
  return async () => {
    child.kill("SIGTERM");
    await exited;
  };
}
