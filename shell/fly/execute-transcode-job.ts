// One machine per job (the seed's mode): the worker reads its job from JOB_ID, INPUT_URL, OUTPUT_URL and PRESET.
import type { ResultAsync } from "neverthrow";
import type { MachineGuest } from "../../core/machine-guest.ts";
import type { PresetName } from "../../core/preset-names.ts";
import type { FlyRetry } from "./fly-config.ts";
import type { FlyError } from "./fly-error.ts";
import type { MachinesApi } from "./machines-api.ts";
import { type SpawnedMachine, type SpawnOptions, spawnMachine } from "./spawn-machine.ts";

export interface TranscodeJobMachineRequest {
  readonly jobId: string;
  readonly inputUrl: string;
  readonly outputUrl: string;
  readonly preset: PresetName;
  readonly image: string;
  readonly region: string;
  readonly guest: MachineGuest;
  readonly tag: string;
  /** More environment for the worker (e.g. where to report); the four job variables win over it. */
  readonly env?: Readonly<Record<string, string>>;
}

export const TCODER_JOB_ID_KEY = "tcoder_job_id";

export const executeTranscodeJob = (
  transport: MachinesApi,
  retry: FlyRetry,
  job: TranscodeJobMachineRequest,
  options: SpawnOptions = {},
): ResultAsync<SpawnedMachine, FlyError> =>
  spawnMachine(
    transport,
    retry,
    {
      image: job.image,
      region: job.region,
      guest: job.guest,
      tag: job.tag,
      env: {
        ...job.env,
        JOB_ID: job.jobId,
        INPUT_URL: job.inputUrl,
        OUTPUT_URL: job.outputUrl,
        PRESET: job.preset,
      },
      metadata: { [TCODER_JOB_ID_KEY]: job.jobId },
    },
    options,
  );
