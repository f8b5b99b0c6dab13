// Look-ups by TCoder's metadata: one spawn's machines by tag, and every TCoder machine for the reconcile cron.
import type { ResultAsync } from "neverthrow";
import type { FlyError } from "./fly-error.ts";
import { type FlyMachine, TCODER_TAG_KEY } from "./fly-machine.ts";
import type { MachinesApi } from "./machines-api.ts";

/** Machines tagged `tag`, oldest first. Filtered here too, in case the API ignores the metadata query. */
export const findMachinesByTag = (api: MachinesApi, tag: string): ResultAsync<FlyMachine[], FlyError> =>
  api
    .listMachines({ metadata: { key: TCODER_TAG_KEY, value: tag } })
    .map((machines) => machines.filter((machine) => machine.tag === tag).sort(byCreation));

/** Every live machine that carries a TCoder tag, oldest first: the cron destroys those no lease accounts for. */
export const listTcoderMachines = (api: MachinesApi): ResultAsync<FlyMachine[], FlyError> =>
  api.listMachines().map((machines) => machines.filter((machine) => machine.tag !== null).sort(byCreation));

const byCreation = (a: FlyMachine, b: FlyMachine): number =>
  (a.createdAt ?? "").localeCompare(b.createdAt ?? "") || a.id.localeCompare(b.id);
