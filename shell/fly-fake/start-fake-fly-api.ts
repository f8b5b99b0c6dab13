// Composition root of the fake Fly Machines API: spec-checked HTTP on node:http (Node and Bun), machines in memory.
import { createServer, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { createFaultQueue, type FakeFlyFaults, type FakeFlyOperation } from "./fake-fly-faults.ts";
import { createFakeMachineStore, type FakeFlyMachine, type FakeTransition } from "./fake-machine-store.ts";
import type { FakeStopSettings } from "./fake-stop-settings.ts";
import {
  createFakeFlyHandler,
  type FakeFlyBug,
  type FakeFlyHandlerContext,
  type FakeFlyRequestRecord,
  type FakeFlyViolation,
} from "./handle-fake-fly-request.ts";
import { parseOpenApiDocument } from "./openapi-document.ts";

export type { FakeFlyFault, FakeFlyFaultEffect, FakeFlyFaults, FakeFlyOperation } from "./fake-fly-faults.ts";
export type {
  FakeFlyMachine,
  FakeMachineEvent,
  FakeMachineState,
  FakeTransition,
} from "./fake-machine-store.ts";
export type { FakeStopSettings } from "./fake-stop-settings.ts";
export { FLY_DEFAULT_STOP, fakeStopSettings } from "./fake-stop-settings.ts";
export type { FakeFlyBug, FakeFlyRequestRecord, FakeFlyViolation } from "./handle-fake-fly-request.ts";

export interface FakeFlyApiOptions {
  readonly appName: string;
  /** The token clients must send (`Bearer <token>`, or `FlyV1 <token>`). */
  readonly token: string;
  /** The parsed Machines OpenAPI document (see `loadFlyMachinesSpec`). */
  readonly spec: unknown;
  /** 0 (the default) picks a free port. */
  readonly port?: number;
  readonly host?: string;
  /**
   * Called once per launched machine, after the create has been handled (also when its reply was a fault).
   * The machine turns `started` when this resolves and `failed` when it rejects; call `markExited` when the
   * machine's process ends.
   */
  readonly onCreate?: (machine: FakeFlyMachine) => void | Promise<void>;
  /** Called when a machine is destroyed through the API (not by `markExited`'s auto-destroy): stop its process. */
  readonly onDestroy?: (machine: FakeFlyMachine) => void;
  /** Called when the API signals a started machine: deliver `signal` to its main process. */
  readonly onSignal?: (machine: FakeFlyMachine, signal: string) => void;
  /**
   * Called when the API stops a started machine (it is `stopping`): deliver `settings.signal` to its main process
   * and SIGKILL it `settings.timeoutMs` later if it is still running; call `markExited` when it ends. Without it,
   * a stopped machine exits at once.
   */
  readonly onStop?: (machine: FakeFlyMachine, settings: FakeStopSettings) => void;
  readonly faults?: FakeFlyFaults;
  /** Clock for timestamps in records; defaults to the wall clock (this is test and dev tooling). */
  readonly now?: () => number;
  /** Region of machines created without one. */
  readonly defaultRegion?: string;
}

export interface FakeFlyApi {
  /** The API base URL, like `https://api.machines.dev/v1`: `http://127.0.0.1:<port>/v1`. */
  readonly url: string;
  readonly port: number;
  /** Every machine ever created, oldest first; destroyed ones stay with state `destroyed`. */
  machines(): FakeFlyMachine[];
  markStarted(id: string): FakeTransition;
  /** The machine's main process exited; auto_destroy + restart "no" machines are then destroyed (GET → 404). */
  markExited(id: string, exitCode: number): FakeTransition;
  setFaults(faults: FakeFlyFaults): void;
  pendingFaults(): Record<FakeFlyOperation, number>;
  requests(): FakeFlyRequestRecord[];
  violations(): FakeFlyViolation[];
  bugs(): FakeFlyBug[];
  /** Ends hung requests and pending waits, then closes; throws if the fake ever broke the spec in a response. */
  close(): Promise<void>;
}

export async function startFakeFlyApi(options: FakeFlyApiOptions): Promise<FakeFlyApi> {
  if (options.token.trim() === "") throw new Error("startFakeFlyApi: the token must not be empty");
  const doc = parseOpenApiDocument(options.spec);
  const store = createFakeMachineStore({
    now: options.now ?? Date.now,
    defaultRegion: options.defaultRegion ?? "local",
  });
  const launches = new Set<Promise<void>>();
  const ctx: FakeFlyHandlerContext = {
    doc,
    appName: options.appName,
    token: options.token,
    store,
    faults: createFaultQueue(options.faults),
    requests: [],
    violations: [],
    bugs: [],
    hung: new Set<ServerResponse>(),
    afterNextList: [],
    launch(machine) {
      const onCreate = options.onCreate;
      if (onCreate === undefined) {
        store.markStarted(machine.id);
        return;
      }
      const launch = Promise.resolve()
        .then(() => onCreate(machine))
        .then(
          // The process may already have exited (markExited) before onCreate resolved.
          () => void (store.get(machine.id)?.state === "created" && store.markStarted(machine.id)),
          (error: unknown) =>
            void store.markFailed(machine.id, error instanceof Error ? error.message : String(error)),
        )
        .finally(() => launches.delete(launch));
      launches.add(launch);
    },
    destroyed: (machine) => options.onDestroy?.(machine),
    signalled: (machine, signal) => options.onSignal?.(machine, signal),
    stopping: (machine, settings) => {
      if (options.onStop === undefined) store.markExited(machine.id, 0);
      else options.onStop(machine, settings);
    },
  };
  const handle = createFakeFlyHandler(ctx);
  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      ctx.bugs.push({
        operationId: "(handler)",
        status: 500,
        violations: [{ path: "$", message: String(error) }],
      });
      if (!res.headersSent) res.writeHead(500, { "content-type": "application/json" });
      res.end(JSON.stringify({ error: `fake Fly API crashed: ${String(error)}` }));
    });
  });

  const host = options.host ?? "127.0.0.1";
  await listen(server, options.port ?? 0, host);
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://${host.includes(":") ? `[${host}]` : host}:${port}${doc.basePath}`,
    port,
    machines: () => store.all(),
    markStarted: (id) => store.markStarted(id),
    markExited: (id, exitCode) => store.markExited(id, exitCode),
    setFaults: (faults) => ctx.faults.set(faults),
    pendingFaults: () => ctx.faults.pending(),
    requests: () => [...ctx.requests],
    violations: () => [...ctx.violations],
    bugs: () => [...ctx.bugs],
    async close() {
      store.releaseWaiters();
      for (const res of ctx.hung) res.destroy();
      await Promise.allSettled(launches);
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections?.();
      });
      if (ctx.bugs.length > 0) {
        throw new Error(
          `fake Fly API broke the spec in its own responses: ${JSON.stringify(ctx.bugs, null, 2)}`,
        );
      }
    },
  };
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
