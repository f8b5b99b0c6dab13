// The create body for one TCoder machine: run once (auto_destroy, restart "no"), sized by the preset, tagged.
import type { MachineGuest } from "../../core/machine-guest.ts";
import { guestKey } from "../../core/machine-guest.ts";
import { TCODER_TAG_KEY } from "./fly-machine.ts";
import type { CreateMachineBody } from "./machines-api.ts";

export interface SpawnMachineRequest {
  /** `registry.fly.io/<app>:<label>`. */
  readonly image: string;
  readonly region: string;
  readonly guest: MachineGuest;
  readonly env: Readonly<Record<string, string>>;
  /** Idempotency tag: at most one machine per tag (`metadata.tcoder_tag`). */
  readonly tag: string;
  readonly name?: string;
  /** Extra metadata; the tcoder_* keys set here win over it. */
  readonly metadata?: Readonly<Record<string, string>>;
}

export const TCODER_GUEST_KEY = "tcoder_guest";

/**
 * How Fly stops our machines (a host going into maintenance, `fly machine stop`): SIGTERM, then SIGKILL 60 s later.
 * Fly's defaults (SIGINT, 5 s) leave the worker no time to hand its job back: on a stop it gives ffmpeg 5 s to exit
 * (FFMPEG_KILL_GRACE_MS) or finishes an upload already under way, then writes the hand-back and the lease release
 * to Redis (each a REST call with transport retries) and settles its callbacks.
 */
export const WORKER_STOP_CONFIG = { signal: "SIGTERM", timeout: "60s" } as const;
// Safe in a query string and in Fly metadata without escaping surprises.
const TAG = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/;

export const buildCreateMachineBody = (request: SpawnMachineRequest): CreateMachineBody => {
  if (!TAG.test(request.tag))
    throw new Error(`buildCreateMachineBody: bad tag ${JSON.stringify(request.tag)}`);
  return {
    ...(request.name === undefined ? {} : { name: request.name }),
    region: request.region,
    config: {
      image: request.image,
      env: { ...request.env },
      guest: { cpu_kind: request.guest.cpuKind, cpus: request.guest.cpus, memory_mb: request.guest.memoryMb },
      metadata: {
        ...request.metadata,
        [TCODER_TAG_KEY]: request.tag,
        [TCODER_GUEST_KEY]: guestKey(request.guest),
      },
      // auto_destroy only takes effect with restart policy "no"; the default re-runs a failing machine.
      auto_destroy: true,
      restart: { policy: "no" },
      stop_config: { ...WORKER_STOP_CONFIG },
    },
  };
};
