// MachinesApi over HTTP, one request per call: the layer that retries (or, for creates, spawnMachine) sits above.
import { ok, okAsync, type Result, type ResultAsync } from "neverthrow";
import type { FlyConfig } from "./fly-config.ts";
import type { FlyError } from "./fly-error.ts";
import { FlyMachineListSchema, FlyMachineSchema, readFlyReply, WaitReplySchema } from "./fly-machine.ts";
import type { MachinesApi, WaitOutcome } from "./machines-api.ts";
import { sendFlyRequest } from "./send-fly-request.ts";

const machinePath = (id: string) => `/machines/${encodeURIComponent(id)}`;

export const createMachinesTransport = (config: FlyConfig): MachinesApi => {
  const api: MachinesApi = {
    createMachine: (body) =>
      sendFlyRequest(config, { method: "POST", path: "/machines", body, machineScoped: false }).andThen(
        (reply) => readFlyReply(FlyMachineSchema, reply.body, "create machine"),
      ),
    getMachine: (id) =>
      sendFlyRequest(config, { method: "GET", path: machinePath(id), machineScoped: true }).andThen((reply) =>
        readFlyReply(FlyMachineSchema, reply.body, "get machine"),
      ),
    listMachines: (filter = {}) => {
      const query = filter.metadata
        ? { [`metadata.${filter.metadata.key}`]: filter.metadata.value }
        : undefined;
      return sendFlyRequest(config, {
        method: "GET",
        path: "/machines",
        query,
        machineScoped: false,
      }).andThen((reply) => readFlyReply(FlyMachineListSchema, reply.body, "list machines"));
    },
    destroyMachine: (id, { force }) =>
      sendFlyRequest(config, {
        method: "DELETE",
        path: machinePath(id),
        query: { force: String(force) },
        machineScoped: true,
      }).map(() => undefined),
    signalMachine: (id, signal) =>
      sendFlyRequest(config, {
        method: "POST",
        path: `${machinePath(id)}/signal`,
        body: { signal },
        machineScoped: true,
      }).map(() => undefined),
    waitForState: (id, state, timeoutSeconds, version) => {
      if (!Number.isInteger(timeoutSeconds) || timeoutSeconds < 1 || timeoutSeconds > 60) {
        throw new RangeError(
          `waitForState: timeoutSeconds must be an integer in 1..60, got ${timeoutSeconds}`,
        );
      }
      const versionFor: ResultAsync<string | undefined, FlyError> =
        state !== "stopped" || version !== undefined
          ? okAsync(version)
          : api.getMachine(id).map((machine) => machine.instanceId ?? undefined);
      return versionFor.andThen((resolved) =>
        sendFlyRequest(config, {
          method: "GET",
          path: `${machinePath(id)}/wait`,
          query: {
            state,
            timeout: String(timeoutSeconds),
            ...(resolved === undefined ? {} : { version: resolved }),
          },
          extraTimeoutMs: timeoutSeconds * 1000,
          machineScoped: true,
          answerStatuses: [408],
        }).andThen((reply): Result<WaitOutcome, FlyError> => {
          if (reply.status === 408) return ok({ kind: "timed-out" });
          return readFlyReply(WaitReplySchema, reply.body, "wait").map((wait) => ({
            kind: "reached",
            state: wait.state ?? state,
          }));
        }),
      );
    },
  };
  return api;
};
