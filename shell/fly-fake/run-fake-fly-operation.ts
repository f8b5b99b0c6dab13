// The seven Machines operations the fake implements, on already validated input, each returning status + body.
import * as v from "valibot";
import type { FakeFlyOperation } from "./fake-fly-faults.ts";
import type { FakeFlyMachine, FakeMachineConfig, FakeMachineStore } from "./fake-machine-store.ts";
import { type FakeStopSettings, fakeStopSettings } from "./fake-stop-settings.ts";
import type { SchemaViolation } from "./validate-openapi-schema.ts";

export const FAKE_FLY_OPERATIONS: Readonly<Record<string, FakeFlyOperation>> = {
  Machines_create: "create",
  Machines_show: "get",
  Machines_list: "list",
  Machines_delete: "destroy",
  Machines_wait: "wait",
  Machines_signal: "signal",
  Machines_stop: "stop",
};

export interface FakeReply {
  readonly status: number;
  readonly body: unknown;
  readonly headers?: Readonly<Record<string, string>>;
}

export interface FakeOperationInput {
  readonly operation: FakeFlyOperation;
  readonly pathParams: Readonly<Record<string, string>>;
  readonly query: URLSearchParams;
  readonly body: unknown;
}

export interface FakeOperationHost {
  readonly store: FakeMachineStore;
  /** Boots a machine that was just created (unless `skip_launch`). */
  launch(machine: FakeFlyMachine): void;
  /** The API destroyed a machine. */
  destroyed(machine: FakeFlyMachine): void;
  /** The API sent a signal to a started machine's main process. */
  signalled(machine: FakeFlyMachine, signal: string): void;
  /** The API stopped a started machine: signal its main process, SIGKILL it `timeoutMs` later if still running. */
  stopping(machine: FakeFlyMachine, settings: FakeStopSettings): void;
}

// Spec-valid bodies are narrowed once more for the rules the published document leaves out (config.image).
const CreateBodySchema = v.looseObject({
  config: v.looseObject({ image: v.pipe(v.string(), v.nonEmpty()) }),
  region: v.optional(v.string()),
  name: v.optional(v.string()),
  skip_launch: v.optional(v.boolean()),
});

const MAX_WAIT_SECONDS = 60;
/** Fly's answer to a signal or stop for a machine that is not running. */
const notStarted = (id: string, state: string): FakeReply => ({
  status: 400,
  body: { error: `failed_precondition: machine ${id} is ${state}, not started` },
});

const notFound = (what: string): FakeReply => ({ status: 404, body: { error: `${what} not found` } });

/** Rules the real API enforces that the document does not state; violations answer 400 like spec violations. */
export const checkFlyRules = (input: FakeOperationInput): SchemaViolation[] => {
  if (input.operation === "create" && !v.is(CreateBodySchema, input.body)) {
    return [{ path: "$.config.image", message: "config.image is required (a non-empty image reference)" }];
  }
  // Fly reads durations with Go's parser: "60s" or "1m", never "60" or "a minute".
  const stop =
    input.operation === "create"
      ? fakeStopSettings(undefined, (input.body as { config?: unknown }).config)
      : input.operation === "stop"
        ? fakeStopSettings(input.body, undefined)
        : null;
  if (stop !== null && !stop.ok) return [{ path: "$.timeout", message: stop.message }];
  const { query } = input;
  if (
    input.operation === "wait" &&
    query.get("state") === "stopped" &&
    !query.has("version") &&
    !query.has("instance_id")
  ) {
    return [{ path: "query.version", message: "waiting for state=stopped needs version (or instance_id)" }];
  }
  return [];
};

export const runFakeFlyOperation = async (
  host: FakeOperationHost,
  input: FakeOperationInput,
): Promise<FakeReply> => {
  const { store } = host;
  const id = input.pathParams.machine_id ?? "";
  switch (input.operation) {
    case "create": {
      const body = v.parse(CreateBodySchema, input.body);
      const machine = store.create({
        config: body.config as FakeMachineConfig,
        region: body.region,
        name: body.name,
      });
      if (body.skip_launch !== true) host.launch(machine);
      return { status: 200, body: machine };
    }
    case "get": {
      const machine = store.get(id);
      return machine ? { status: 200, body: machine } : notFound("machine");
    }
    case "list": {
      const metadata = [...input.query.entries()]
        .filter(([key]) => key.startsWith("metadata."))
        .map(([key, value]) => [key.slice("metadata.".length), value] as const);
      const state = input.query.get("state");
      const machines = store.list({
        includeDeleted: input.query.get("include_deleted") === "true",
        region: input.query.get("region"),
        states: state === null ? null : state.split(","),
        metadata,
      });
      return { status: 200, body: machines };
    }
    case "destroy": {
      const result = store.destroy(id, input.query.get("force") === "true");
      if (result.ok) {
        host.destroyed(result.machine);
        return { status: 200, body: { ok: true } };
      }
      return result.reason === "unknown-machine"
        ? notFound("machine")
        : {
            status: 412,
            body: { error: `failed_precondition: unable to destroy machine: ${result.message}` },
          };
    }
    case "wait": {
      const state = input.query.get("state") ?? "started";
      const machine = store.find(id);
      if (!machine || (machine.state === "destroyed" && state !== "destroyed")) return notFound("machine");
      const seconds = Math.min(Number(input.query.get("timeout") ?? MAX_WAIT_SECONDS), MAX_WAIT_SECONDS);
      const result = await store.waitFor(id, [state], seconds * 1000);
      if (result.kind === "timed-out") {
        return {
          status: 408,
          body: { error: `deadline_exceeded: machine ${id} did not reach ${state} in ${seconds}s` },
        };
      }
      const event = result.machine.events[0];
      return {
        status: 200,
        body: {
          ok: true,
          state: result.machine.state,
          version: result.machine.instance_id,
          event_id: event?.id ?? "",
        },
      };
    }
    case "signal": {
      const machine = store.get(id);
      if (!machine) return notFound("machine");
      if (machine.state !== "started") return notStarted(id, machine.state);
      const signal = String((input.body as { signal?: unknown } | null)?.signal ?? "");
      host.signalled(machine, signal);
      return { status: 200, body: null };
    }
    case "stop": {
      const machine = store.get(id);
      if (!machine) return notFound("machine");
      if (machine.state !== "started") return notStarted(id, machine.state);
      const stop = fakeStopSettings(input.body, machine.config);
      if (!stop.ok) return { status: 400, body: { error: stop.message } };
      const stopping = store.markStopping(id);
      if (stopping.ok) host.stopping(stopping.machine, stop.settings);
      return { status: 200, body: null };
    }
    default: {
      const unreachable: never = input.operation;
      throw new Error(`runFakeFlyOperation: unknown operation ${String(unreachable)}`);
    }
  }
};
