// Runs one machine-side Lua script: its success reply validated with valibot, its negative codes mapped to errors.
import { errAsync, okAsync, type ResultAsync } from "neverthrow";
import * as v from "valibot";
import { type AdmissionSnapshot, AdmissionSnapshotSchema } from "./admission-snapshot.ts";
import type { LuaScript } from "./lua-script.ts";
import { type UnexpectedReply, unexpectedReply } from "./parse-script-reply.ts";
import type { RedisFailure, ScriptArg, ScriptRunner } from "./script-runner.ts";

export type AdmissionGuard = "capacity" | "rate" | "budget";

/** Why a machine script refused; each is one negative return code, shared by every script that can give it. */
export type MachineRefusal =
  /** -1: a concurrent admission got there first; decide again on the fresh snapshot. */
  | {
      readonly kind: "admission-conflict";
      readonly guard: AdmissionGuard;
      readonly snapshot: AdmissionSnapshot;
    }
  /** -2: machine ids given for a reservation were partly in use (ids must be fresh: a bug upstream). */
  | { readonly kind: "machine-id-taken"; readonly message: string }
  /** -3: Redis time is past the month the caller charged or read; retry with the month of `now`. */
  | { readonly kind: "month-changed"; readonly now: number }
  /** -4: the machine holds no live lease; it is dead for good and must exit. */
  | { readonly kind: "lease-lost"; readonly message: string }
  /** -5: a machine without a reservation found every slot taken. */
  | { readonly kind: "no-free-slot"; readonly slotsTaken: number };

export type MachineStoreError =
  | RedisFailure
  /** A script answered in a shape its wrapper does not know: a deployment mismatch or a bug. */
  | UnexpectedReply
  | MachineRefusal;

const int = v.pipe(v.number(), v.integer());
const RefusalReply = v.looseTuple([int]);

/**
 * Runs `script` and parses a non-negative reply with `success`; a negative code becomes a MachineRefusal.
 * `success` sees the whole reply, code included.
 */
export const runMachineScript = <S extends v.GenericSchema>(
  runner: ScriptRunner,
  script: LuaScript,
  keys: readonly string[],
  args: readonly ScriptArg[],
  success: S,
): ResultAsync<v.InferOutput<S>, MachineStoreError> =>
  runner.run(script, keys, args).andThen((reply): ResultAsync<v.InferOutput<S>, MachineStoreError> => {
    const head = v.safeParse(RefusalReply, reply);
    if (head.success && head.output[0] < 0) {
      return errAsync(refusalOf(script.name, head.output[0], reply));
    }
    const parsed = v.safeParse(success, reply);
    return parsed.success ? okAsync(parsed.output) : errAsync(unexpectedReply(script.name, reply));
  });

/** The one place negative return codes turn into error values. */
const refusalOf = (script: string, code: number, reply: unknown): MachineStoreError => {
  const parse = <S extends v.GenericSchema>(schema: S): v.InferOutput<S> | undefined => {
    const parsed = v.safeParse(schema, reply);
    return parsed.success ? parsed.output : undefined;
  };
  switch (code) {
    case -1: {
      const r = parse(
        v.tuple([v.literal(-1), v.picklist(["capacity", "rate", "budget"]), AdmissionSnapshotSchema]),
      );
      return r ? { kind: "admission-conflict", guard: r[1], snapshot: r[2] } : unexpectedReply(script, reply);
    }
    case -2:
      return { kind: "machine-id-taken", message: `${script}: some machine ids are already reserved` };
    case -3: {
      const r = parse(v.tuple([v.literal(-3), int]));
      return r ? { kind: "month-changed", now: r[1] } : unexpectedReply(script, reply);
    }
    case -4:
      return { kind: "lease-lost", message: `${script}: the machine holds no live lease` };
    case -5: {
      const r = parse(v.tuple([v.literal(-5), int]));
      return r ? { kind: "no-free-slot", slotsTaken: r[1] } : unexpectedReply(script, reply);
    }
    default:
      return unexpectedReply(script, reply);
  }
};
