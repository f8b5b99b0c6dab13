// Composition of the Fly adapter: checked config → one-request transport → retrying port plus the spawn helpers.
import type { ResultAsync } from "neverthrow";
import type { SpawnMachineRequest } from "./build-create-machine-body.ts";
import { createMachinesTransport } from "./create-machines-transport.ts";
import { executeTranscodeJob, type TranscodeJobMachineRequest } from "./execute-transcode-job.ts";
import { findMachinesByTag, listTcoderMachines } from "./find-machines-by-tag.ts";
import { type FlyConfigInput, parseFlyConfig } from "./fly-config.ts";
import type { FlyError } from "./fly-error.ts";
import type { FlyMachine } from "./fly-machine.ts";
import type { MachinesApi } from "./machines-api.ts";
import { type SpawnedMachine, type SpawnOptions, spawnMachine } from "./spawn-machine.ts";
import { withTransportRetries } from "./with-transport-retries.ts";

export interface FlyMachines extends MachinesApi {
  spawnMachine(request: SpawnMachineRequest, options?: SpawnOptions): ResultAsync<SpawnedMachine, FlyError>;
  executeTranscodeJob(
    job: TranscodeJobMachineRequest,
    options?: SpawnOptions,
  ): ResultAsync<SpawnedMachine, FlyError>;
  findMachinesByTag(tag: string): ResultAsync<FlyMachine[], FlyError>;
  listTcoderMachines(): ResultAsync<FlyMachine[], FlyError>;
}

/** Throws on bad config. The port's reads and destroys retry transient failures; creates go through spawnMachine. */
export const createFlyMachines = (input: FlyConfigInput): FlyMachines => {
  const config = parseFlyConfig(input);
  const transport = createMachinesTransport(config);
  const api = withTransportRetries(transport, config.retry);
  return {
    ...api,
    spawnMachine: (request, options) => spawnMachine(transport, config.retry, request, options),
    executeTranscodeJob: (job, options) => executeTranscodeJob(transport, config.retry, job, options),
    findMachinesByTag: (tag) => findMachinesByTag(api, tag),
    listTcoderMachines: () => listTcoderMachines(api),
  };
};
