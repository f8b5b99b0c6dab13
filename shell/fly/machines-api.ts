// The port: the Fly Machines operations the control plane uses, each a ResultAsync with a FlyError.
import type { ResultAsync } from "neverthrow";
import type { FlyError } from "./fly-error.ts";
import type { FlyMachine } from "./fly-machine.ts";

/** Body of `POST /apps/{app}/machines` (CreateMachineRequest), the fields TCoder sets. */
export interface CreateMachineBody {
  readonly name?: string;
  readonly region: string;
  readonly config: {
    readonly image: string;
    readonly env: Readonly<Record<string, string>>;
    readonly guest: {
      readonly cpu_kind: "shared" | "performance";
      readonly cpus: number;
      readonly memory_mb: number;
    };
    readonly metadata: Readonly<Record<string, string>>;
    readonly auto_destroy: true;
    readonly restart: { readonly policy: "no" };
    /** Fly's fly.StopConfig: the stop signal, and how long after it Fly kills the machine ("60s"). */
    readonly stop_config: { readonly signal: "SIGTERM" | "SIGINT"; readonly timeout: string };
  };
}

/** States `GET .../wait` accepts (the spec's enum). */
export type MachineWaitState = "started" | "stopped" | "suspended" | "destroyed" | "failed" | "settled";

export type WaitOutcome =
  | { readonly kind: "reached"; readonly state: string }
  | { readonly kind: "timed-out" };

export interface MachineListFilter {
  readonly metadata?: { readonly key: string; readonly value: string };
}

export interface MachinesApi {
  /** One create request. Not idempotent, so never repeated here: `spawnMachine` owns create retries. */
  createMachine(body: CreateMachineBody): ResultAsync<FlyMachine, FlyError>;
  getMachine(id: string): ResultAsync<FlyMachine, FlyError>;
  listMachines(filter?: MachineListFilter): ResultAsync<FlyMachine[], FlyError>;
  /** `not-found` when the machine is already gone (also after a repeated destroy whose first try took effect). */
  destroyMachine(id: string, options: { readonly force: boolean }): ResultAsync<void, FlyError>;
  /** Sends a Unix signal to the machine's main process (the worker: SIGUSR1 means "work is waiting"). */
  signalMachine(id: string, signal: "SIGUSR1"): ResultAsync<void, FlyError>;
  /**
   * Blocks up to `timeoutSeconds` (1..60) until the machine is in `state`; a 408 is `timed-out`, not an error.
   * Waiting for `stopped` needs the machine's version: pass it, or the machine is read first to learn it.
   */
  waitForState(
    id: string,
    state: MachineWaitState,
    timeoutSeconds: number,
    version?: string,
  ): ResultAsync<WaitOutcome, FlyError>;
}
