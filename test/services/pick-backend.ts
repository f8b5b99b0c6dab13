// Chooses where test services run: containers when a Docker engine answers, else local processes.
import { existsSync } from "node:fs";
import { request } from "node:http";
import { homedir } from "node:os";
import { join } from "node:path";
import type { ServiceBackend } from "./service-backend.ts";

const PING_TIMEOUT_MS = 1_000;

type Env = Readonly<Record<string, string | undefined>>;
type DockerEndpoint = { readonly socketPath: string } | { readonly host: string; readonly port: number };

/** `TCODER_TEST_BACKEND=local|containers` overrides the detection. Each backend module loads only when chosen. */
export async function pickBackend(env: Env = process.env): Promise<ServiceBackend> {
  const choice = await chooseBackend(env);
  switch (choice) {
    case "local":
      return (await import("./local-processes.ts")).localProcesses;
    case "containers":
      return (await import("./testcontainers.ts")).testcontainers;
    default: {
      const unreachable: never = choice;
      throw new Error(`unknown backend ${String(unreachable)}`);
    }
  }
}

async function chooseBackend(env: Env): Promise<"local" | "containers"> {
  const override = env.TCODER_TEST_BACKEND;
  if (override === "local" || override === "containers") return override;
  if (override !== undefined && override !== "") {
    throw new Error(`TCODER_TEST_BACKEND must be "local" or "containers", got "${override}"`);
  }
  for (const endpoint of dockerEndpoints(env)) {
    if (await dockerAnswers(endpoint)) return "containers";
  }
  return "local";
}

/** DOCKER_HOST when set (unix:// or plain tcp://; TLS engines need the override), else the usual sockets. */
function dockerEndpoints(env: Env): DockerEndpoint[] {
  const dockerHost = env.DOCKER_HOST;
  if (dockerHost !== undefined && dockerHost !== "") {
    if (dockerHost.startsWith("unix://")) return [{ socketPath: dockerHost.slice("unix://".length) }];
    const tcp = /^tcp:\/\/([^:/]+):(\d+)/.exec(dockerHost);
    return tcp?.[1] !== undefined && tcp[2] !== undefined ? [{ host: tcp[1], port: Number(tcp[2]) }] : [];
  }
  const sockets = [
    "/var/run/docker.sock",
    join(homedir(), ".docker", "run", "docker.sock"),
    ...(env.XDG_RUNTIME_DIR ? [join(env.XDG_RUNTIME_DIR, "docker.sock")] : []),
  ];
  return sockets.filter((socketPath) => existsSync(socketPath)).map((socketPath) => ({ socketPath }));
}

/** The engine's `GET /_ping` answers `OK`; anything else, or silence past the timeout, means no engine. */
function dockerAnswers(endpoint: DockerEndpoint): Promise<boolean> {
  return new Promise((resolve) => {
    const req = request({ ...endpoint, path: "/_ping", method: "GET", timeout: PING_TIMEOUT_MS }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => {
        body += chunk;
      });
      res.on("end", () => resolve(res.statusCode === 200 && body.trim() === "OK"));
      res.on("error", () => resolve(false));
    });
    req.on("timeout", () => req.destroy());
    req.on("error", () => resolve(false));
    req.end();
  });
}
