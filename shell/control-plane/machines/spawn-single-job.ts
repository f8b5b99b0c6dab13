// The seed's one-machine-per-job mode: the control plane takes the lease for the machine it starts, claims a job
// under it, and hands the machine presigned URLs (JOB_ID, INPUT_URL, OUTPUT_URL, PRESET, RECORD_URL). The worker has no Redis:
// its callbacks record progress (and keep the lease alive) and the result; the final callback frees the slot.
import { guestFor } from "../../../core/ffmpeg/presets.ts";
import type { MachineGuest } from "../../../core/machine-guest.ts";
import { outputKey, recordKey } from "../../../core/output-keys.ts";
import type { PresetName } from "../../../core/preset-names.ts";
import type { ControlPlaneDeps } from "../config/control-plane-deps.ts";
import { type MachineSpawn, settleFailedSpawn } from "./settle-failed-spawn.ts";
import { callbackEnv } from "./worker-machine-env.ts";

/**
 * A single OUTPUT_URL carries one file, PUT with the content type signed: the MP4 for the MP4 presets (and for
 * stream copy, whose sources must then fit MP4), or one ustar archive of the whole package for HLS.
 */
const singleOutput = (preset: PresetName): { readonly file: string; readonly contentType: string } =>
  preset === "hls"
    ? { file: "package.tar", contentType: "application/x-tar" }
    : { file: "video.mp4", contentType: "video/mp4" };

/** The machine a single-job job runs on: its preset's guest for sources up to 1080p (the size is not known yet). */
export const singleJobGuest = (preset: PresetName): MachineGuest => guestFor(preset, 0);

export const spawnSingleJob = async (deps: ControlPlaneDeps, machineId: string): Promise<MachineSpawn> => {
  const { config } = deps;
  const giveBack = async (): Promise<MachineSpawn> => {
    await deps.machines.release(machineId, 0, "never-started");
    return { kind: "idle", machineId };
  };
  const registered = await deps.machines.register(machineId);
  if (registered.isErr()) return giveBack();
  const leaseToken = deps.newId("lease");
  const claimed = await deps.jobs.claim(machineId, leaseToken);
  if (claimed.isErr() || claimed.value.kind !== "claimed") return giveBack();
  const { job } = claimed.value;

  const target = singleOutput(job.preset);
  const key = outputKey(job.jobId, job.preset, target.file);
  if (key.isErr()) throw new Error(key.error.message);
  const ttl = Math.ceil(config.worker.ttlMs / 1000);
  const input = await deps.inputs.presignGet(job.inputKey, { expiresInSeconds: ttl });
  const output = await deps.outputs.presignPut(key.value, {
    contentType: target.contentType,
    expiresInSeconds: ttl,
  });
  // The job's record goes beside the outputs, where GET /api/jobs/:id/record reads it.
  const record = await deps.outputs.presignPut(recordKey(job.jobId), {
    contentType: "application/json",
    expiresInSeconds: ttl,
  });
  const spawned = await deps.fly.executeTranscodeJob({
    jobId: job.jobId,
    inputUrl: input.match(
      (r) => r.url,
      (never) => never,
    ),
    outputUrl: output.match(
      (r) => r.url,
      (never) => never,
    ),
    preset: job.preset,
    image: config.fly.image,
    region: config.fly.region,
    guest: singleJobGuest(job.preset),
    tag: machineId,
    env: {
      ...(await callbackEnv(config, machineId)),
      LEASE_TOKEN: leaseToken,
      TCODER_MACHINE_ID: machineId,
      RECORD_URL: record.match(
        (r) => r.url,
        (never) => never,
      ),
    },
  });
  // A failed create releases the machine, and with it the job (expired at once: requeued or failed by policy).
  return spawned.isOk()
    ? { kind: "spawned", machineId, flyId: spawned.value.machine.id }
    : settleFailedSpawn(deps, machineId, spawned.error);
};
