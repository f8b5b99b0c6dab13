// The ports every handler receives: built once per runtime in its composition root, never module singletons.

import type { FlyMachines } from "../../fly/create-fly-machines.ts";
import type { JobStore } from "../../redis/job-store.ts";
import type { MachineStore } from "../../redis/machine-store.ts";
import type { OwnerJobs } from "../../redis/owner-jobs.ts";
import type { TimeIndex } from "../../redis/time-index.ts";
import type { WebhookOutbox } from "../../redis/webhook-outbox.ts";
import type { ObjectStore } from "../../storage/object-store.ts";
import type { OnceMemory } from "../callbacks/once-memory.ts";
import type { MachineViews } from "../machines/machine-views.ts";
import type { ControlPlaneConfig } from "./control-plane-config.ts";

export type LogFields = Readonly<Record<string, unknown>>;

/** Structured logs; callers pass ids and outcomes, never secrets or presigned URLs. */
export interface Logger {
  info(event: string, fields?: LogFields): void;
  warn(event: string, fields?: LogFields): void;
  error(event: string, fields?: LogFields): void;
}

/**
 * fetch for client-supplied URLs. `address` is the IP the SSRF check resolved the URL's name to: connect there, not
 * to a fresh lookup (Node: a pinned `lookup`). Null when nothing was resolved (an IP literal, private URLs allowed,
 * or a runtime without DNS: on Workers, fetch cannot reach private networks, so names are checked by rule only).
 */
export type OutboundFetch = (url: string, init: RequestInit, address: string | null) => Promise<Response>;

/**
 * The queue R2 notifications arrive on, as a producer (the Worker's binding); its consumer runs the intake, and the
 * background tasks (spawns, webhooks) requests hand off to it (background/hand-off-background-task.ts).
 */
export interface EventQueue {
  send(body: unknown): Promise<void>;
}

export interface ControlPlaneDeps {
  readonly config: ControlPlaneConfig;
  readonly jobs: JobStore;
  /** Each API key's jobs and usage (GET /api/jobs, the per-key limits). */
  readonly owners: OwnerJobs;
  readonly machines: MachineStore;
  readonly views: MachineViews;
  /** Accepted signatures and sent webhooks, remembered for a while (remember-signature.lua). */
  readonly memory: OnceMemory;
  /** Finished jobs whose webhook is still owed (webhook-outbox.lua). */
  readonly outbox: WebhookOutbox;
  /** Jobs waiting for their input (by when the cron looks next), and ended jobs (by end time): time-index.lua. */
  readonly jobIndexes: { readonly intake: TimeIndex; readonly ended: TimeIndex };
  readonly inputs: ObjectStore;
  readonly outputs: ObjectStore;
  readonly fly: FlyMachines;
  /** ms since the epoch. */
  readonly clock: () => number;
  /** A fresh random id, `<prefix>_<24 hex>`. */
  readonly newId: (prefix: string) => string;
  /** fetch for client-supplied URLs (URL ingest, webhooks); checked against SSRF rules before every call. */
  readonly outbound: OutboundFetch;
  /**
   * Resolves a host name to its addresses, so private targets behind public names are refused too (and `outbound`
   * then connects to the address checked). Null where the runtime cannot resolve (workerd): Workers' fetch cannot
   * reach private networks, so there names and literals are checked by rule only.
   */
  readonly resolveHost: ((host: string) => Promise<readonly string[]>) | null;
  /**
   * Where POST /internal/events sends relayed storage events and requests hand off background tasks: the upload
   * queue on the Worker. Null on the Node/Bun server, which has no queue: it runs both itself.
   */
  readonly eventQueue: EventQueue | null;
  readonly log: Logger;
}

/** JSON lines on the console: what both runtimes collect (Workers logs, a process's stdout). */
export const consoleLogger = (base: LogFields = {}): Logger => {
  const write = (level: string, event: string, fields: LogFields = {}) =>
    console.log(JSON.stringify({ level, event, ...base, ...fields }));
  return {
    info: (event, fields) => write("info", event, fields),
    warn: (event, fields) => write("warn", event, fields),
    error: (event, fields) => write("error", event, fields),
  };
};
