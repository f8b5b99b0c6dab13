// The Machine and wait replies as the adapter reads them: only the fields it uses, checked with valibot.
import { err, ok, type Result } from "neverthrow";
import * as v from "valibot";
import type { FlyError } from "./fly-error.ts";

/** Metadata key that carries the spawn's idempotency tag. */
export const TCODER_TAG_KEY = "tcoder_tag";

export interface FlyMachine {
  readonly id: string;
  readonly name: string;
  /** Fly's state: created, starting, started, stopping, stopped, failed, destroying, destroyed, ... */
  readonly state: string;
  readonly region: string;
  /** The machine version (`version` in a wait for `stopped`); null when Fly left it out. */
  readonly instanceId: string | null;
  readonly image: string | null;
  readonly metadata: Readonly<Record<string, string>>;
  /** `metadata.tcoder_tag`, or null for machines TCoder did not create. */
  readonly tag: string | null;
  /** Exit code of the main process from the newest `exit` event, or null if it has not exited. */
  readonly exitCode: number | null;
  readonly createdAt: string | null;
}

const ExitRequestSchema = v.looseObject({ exit_event: v.looseObject({ exit_code: v.number() }) });

const EventSchema = v.looseObject({
  type: v.optional(v.string()),
  timestamp: v.optional(v.number()),
  request: v.optional(v.unknown()),
});

const MachineWireSchema = v.looseObject({
  id: v.pipe(v.string(), v.nonEmpty()),
  name: v.optional(v.string(), ""),
  state: v.string(),
  region: v.optional(v.string(), ""),
  instance_id: v.optional(v.string()),
  created_at: v.optional(v.string()),
  config: v.optional(
    v.looseObject({
      image: v.optional(v.string()),
      metadata: v.optional(v.nullable(v.record(v.string(), v.string()))),
    }),
  ),
  events: v.optional(v.nullable(v.array(EventSchema))),
});

type MachineWire = v.InferOutput<typeof MachineWireSchema>;

const newestExitCode = (events: MachineWire["events"]): number | null => {
  const exits = (events ?? [])
    .filter((event) => event.type === "exit")
    .sort((a, b) => (b.timestamp ?? 0) - (a.timestamp ?? 0));
  for (const event of exits) {
    const request = v.safeParse(ExitRequestSchema, event.request);
    if (request.success) return request.output.exit_event.exit_code;
  }
  return null;
};

export const FlyMachineSchema = v.pipe(
  MachineWireSchema,
  v.transform((wire): FlyMachine => {
    const metadata = wire.config?.metadata ?? {};
    return {
      id: wire.id,
      name: wire.name,
      state: wire.state,
      region: wire.region,
      instanceId: wire.instance_id ?? null,
      image: wire.config?.image ?? null,
      metadata,
      tag: metadata[TCODER_TAG_KEY] ?? null,
      exitCode: newestExitCode(wire.events),
      createdAt: wire.created_at ?? null,
    };
  }),
);

export const FlyMachineListSchema = v.array(FlyMachineSchema);

export const WaitReplySchema = v.looseObject({ ok: v.optional(v.boolean()), state: v.optional(v.string()) });

/** Reads a 2xx body; a body of the wrong shape is `invalid-response`. */
export const readFlyReply = <S extends v.GenericSchema>(
  schema: S,
  body: unknown,
  what: string,
): Result<v.InferOutput<S>, FlyError> => {
  const parsed = v.safeParse(schema, body);
  return parsed.success
    ? ok(parsed.output)
    : err({ kind: "invalid-response", message: `${what}: ${v.summarize(parsed.issues)}` });
};
