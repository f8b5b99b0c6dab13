// The fake's machines: records shaped like the API's Machine, their state transitions, events and waiters.

export type FakeMachineState = "created" | "started" | "stopping" | "stopped" | "failed" | "destroyed";

export interface FakeMachineEvent {
  readonly id: string;
  readonly type: "launch" | "start" | "stop" | "exit" | "destroy";
  readonly status: string;
  readonly source: "user" | "flyd";
  readonly timestamp: number;
  readonly request?: Readonly<Record<string, unknown>>;
}

/** The create request's config as the fake keeps it (already checked against fly.MachineConfig). */
export interface FakeMachineConfig {
  readonly image: string;
  readonly env?: Readonly<Record<string, string>>;
  readonly metadata?: Readonly<Record<string, string>>;
  readonly auto_destroy?: boolean;
  readonly restart?: { readonly policy?: string };
  readonly guest?: { readonly cpu_kind?: string; readonly cpus?: number; readonly memory_mb?: number };
  readonly [key: string]: unknown;
}

/** A machine exactly as the fake's API returns it (events newest first, like Fly). */
export interface FakeFlyMachine {
  readonly id: string;
  readonly name: string;
  readonly state: FakeMachineState;
  readonly region: string;
  readonly instance_id: string;
  readonly private_ip: string;
  readonly config: FakeMachineConfig;
  readonly created_at: string;
  readonly updated_at: string;
  readonly host_status: "ok";
  readonly events: readonly FakeMachineEvent[];
}

export type FakeTransition =
  | { readonly ok: true; readonly machine: FakeFlyMachine }
  | {
      readonly ok: false;
      readonly reason: "unknown-machine" | "illegal-transition";
      readonly message: string;
    };

export interface MachineListFilter {
  readonly includeDeleted: boolean;
  readonly region: string | null;
  readonly states: readonly string[] | null;
  readonly metadata: readonly (readonly [string, string])[];
}

export type WaitResult =
  | { readonly kind: "reached"; readonly machine: FakeFlyMachine }
  | { readonly kind: "timed-out" };

type MutableMachine = { -readonly [K in keyof FakeFlyMachine]: FakeFlyMachine[K] } & {
  events: FakeMachineEvent[];
};

interface Waiter {
  readonly id: string;
  readonly states: readonly string[];
  readonly resolve: (result: WaitResult) => void;
}

const SETTLED: readonly FakeMachineState[] = ["started", "stopped", "failed", "destroyed"];

export const createFakeMachineStore = (options: {
  readonly now: () => number;
  readonly defaultRegion: string;
}) => {
  const machines = new Map<string, MutableMachine>();
  const waiters = new Set<Waiter>();
  let counter = 0;
  const nextId = (prefix: string, width: number) =>
    `${prefix}${(++counter).toString(16).padStart(width, "0")}`;
  const snapshot = (m: MutableMachine): FakeFlyMachine => structuredClone(m);

  const record = (
    m: MutableMachine,
    state: FakeMachineState,
    event: Omit<FakeMachineEvent, "id" | "timestamp">,
  ) => {
    const timestamp = options.now();
    m.state = state;
    m.updated_at = new Date(timestamp).toISOString();
    m.events.unshift({ id: nextId("01FAKEEVENT", 15), timestamp, ...event });
    for (const waiter of waiters) {
      if (waiter.id === m.id && matchesState(state, waiter.states)) {
        waiters.delete(waiter);
        waiter.resolve({ kind: "reached", machine: snapshot(m) });
      }
    }
  };

  const transition = (
    id: string,
    from: readonly FakeMachineState[],
    apply: (m: MutableMachine) => void,
  ): FakeTransition => {
    const m = machines.get(id);
    if (!m || m.state === "destroyed")
      return { ok: false, reason: "unknown-machine", message: `no machine ${id}` };
    if (!from.includes(m.state)) {
      return {
        ok: false,
        reason: "illegal-transition",
        message: `machine ${id} is ${m.state}, not ${from.join("/")}`,
      };
    }
    apply(m);
    return { ok: true, machine: snapshot(m) };
  };

  return {
    create(input: { config: FakeMachineConfig; region?: string; name?: string }): FakeFlyMachine {
      const id = nextId("f1", 12);
      const created = new Date(options.now()).toISOString();
      const m: MutableMachine = {
        id,
        name: input.name ?? `fake-machine-${id}`,
        state: "created",
        region: input.region ?? options.defaultRegion,
        instance_id: nextId("01FAKEVERSION", 13),
        private_ip: `fdaa:0:1::${counter.toString(16)}`,
        config: structuredClone(input.config),
        created_at: created,
        updated_at: created,
        host_status: "ok",
        events: [],
      };
      machines.set(id, m);
      record(m, "created", { type: "launch", status: "created", source: "user" });
      return snapshot(m);
    },
    /** A live machine (not destroyed). */
    get: (id: string): FakeFlyMachine | null => {
      const m = machines.get(id);
      return m && m.state !== "destroyed" ? snapshot(m) : null;
    },
    /** Any machine, destroyed ones included. */
    find: (id: string): FakeFlyMachine | null => {
      const m = machines.get(id);
      return m ? snapshot(m) : null;
    },
    /** Every machine ever created, destroyed ones included, oldest first. */
    all: (): FakeFlyMachine[] => [...machines.values()].map(snapshot),
    list: (filter: MachineListFilter): FakeFlyMachine[] =>
      [...machines.values()]
        .filter((m) => filter.includeDeleted || m.state !== "destroyed")
        .filter((m) => filter.region === null || m.region === filter.region)
        .filter((m) => filter.states === null || filter.states.includes(m.state))
        .filter((m) => filter.metadata.every(([key, value]) => m.config.metadata?.[key] === value))
        .map(snapshot),
    markStarted: (id: string): FakeTransition =>
      transition(id, ["created", "stopped"], (m) =>
        record(m, "started", { type: "start", status: "started", source: "flyd" }),
      ),
    markFailed: (id: string, message: string): FakeTransition =>
      transition(id, ["created"], (m) =>
        record(m, "failed", {
          type: "launch",
          status: "failed",
          source: "flyd",
          request: { error: message },
        }),
      ),
    /** A stop was asked for through the API: the main process has its signal and is given until the timeout. */
    markStopping: (id: string): FakeTransition =>
      transition(id, ["started"], (m) =>
        record(m, "stopping", { type: "stop", status: "stopping", source: "user" }),
      ),
    /** The main process exited: stopped, then destroyed when auto_destroy is on with restart policy "no". */
    markExited: (id: string, exitCode: number): FakeTransition =>
      transition(id, ["created", "started", "stopping"], (m) => {
        const requestedStop = m.state === "stopping";
        const exitedAt = new Date(options.now()).toISOString();
        const exitEvent = {
          exit_code: exitCode,
          guest_exit_code: exitCode,
          exited_at: exitedAt,
          oom_killed: false,
          requested_stop: requestedStop,
          restarting: false,
          signal: -1,
          guest_signal: -1,
        };
        record(m, "stopped", {
          type: "exit",
          status: "stopped",
          source: "flyd",
          request: { exit_event: exitEvent, restart_count: 0 },
        });
        if (m.config.auto_destroy === true && m.config.restart?.policy === "no") {
          record(m, "destroyed", { type: "destroy", status: "destroyed", source: "flyd" });
        }
      }),
    /** Destroy through the API: a running machine needs `force`. */
    destroy: (id: string, force: boolean): FakeTransition =>
      transition(
        id,
        force ? ["created", "started", "stopping", "stopped", "failed"] : ["stopped", "failed"],
        (m) => record(m, "destroyed", { type: "destroy", status: "destroyed", source: "user" }),
      ),
    waitFor(id: string, states: readonly string[], timeoutMs: number): Promise<WaitResult> {
      const m = machines.get(id);
      if (m && matchesState(m.state, states))
        return Promise.resolve({ kind: "reached", machine: snapshot(m) });
      return new Promise((resolve) => {
        const timer = setTimeout(() => {
          waiters.delete(waiter);
          resolve({ kind: "timed-out" });
        }, timeoutMs);
        const waiter: Waiter = {
          id,
          states,
          resolve: (result) => {
            clearTimeout(timer);
            resolve(result);
          },
        };
        waiters.add(waiter);
      });
    },
    /** Ends every pending wait as timed out (on close). */
    releaseWaiters(): void {
      for (const waiter of waiters) waiter.resolve({ kind: "timed-out" });
      waiters.clear();
    },
  };
};

export type FakeMachineStore = ReturnType<typeof createFakeMachineStore>;

const matchesState = (state: FakeMachineState, wanted: readonly string[]): boolean =>
  wanted.includes(state) || (wanted.includes("settled") && SETTLED.includes(state));
