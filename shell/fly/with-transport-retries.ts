// Wraps a MachinesApi so its idempotent calls repeat on transient failures; create stays a single request.
import type { FlyRetry } from "./fly-config.ts";
import type { MachinesApi } from "./machines-api.ts";
import { retryTransient } from "./retry-transient.ts";

export const withTransportRetries = (api: MachinesApi, retry: FlyRetry): MachinesApi => ({
  createMachine: (body) => api.createMachine(body),
  getMachine: (id) => retryTransient(retry, () => api.getMachine(id)),
  listMachines: (filter) => retryTransient(retry, () => api.listMachines(filter)),
  destroyMachine: (id, options) => retryTransient(retry, () => api.destroyMachine(id, options)),
  // A nudge is worth only its speed: a missed one costs a poll interval, so it is never retried.
  signalMachine: (id, signal) => api.signalMachine(id, signal),
  waitForState: (id, state, timeoutSeconds, version) =>
    retryTransient(retry, () => api.waitForState(id, state, timeoutSeconds, version)),
});
