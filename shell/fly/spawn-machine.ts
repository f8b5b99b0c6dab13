// Creates the one machine for a tag: retries 429s and, after an ambiguous failure, looks the tag up before creating.
import { errAsync, okAsync, ResultAsync } from "neverthrow";
import { buildCreateMachineBody, type SpawnMachineRequest } from "./build-create-machine-body.ts";
import { findMachinesByTag } from "./find-machines-by-tag.ts";
import type { FlyRetry } from "./fly-config.ts";
import type { FlyError } from "./fly-error.ts";
import type { FlyMachine } from "./fly-machine.ts";
import type { MachinesApi } from "./machines-api.ts";
import { retryTransient } from "./retry-transient.ts";

export interface SpawnOptions {
  /**
   * Look the tag up before the first create. Pass true when an earlier spawn with this tag ended `unavailable`
   * (its create may have taken effect); within one call the look-up happens by itself after any ambiguity.
   */
  readonly lookUpFirst?: boolean;
}

export type DuplicateCheck =
  /** No ambiguity, so no second machine can exist. */
  | { readonly kind: "not-needed" }
  | { readonly kind: "checked"; readonly destroyed: readonly string[] }
  /** The machine is ours, but the look-up for duplicates failed: the reconcile cron must sweep them. */
  | { readonly kind: "check-failed"; readonly error: FlyError };

export interface SpawnedMachine {
  readonly machine: FlyMachine;
  /** `found-by-tag`: an earlier, ambiguous create had worked. */
  readonly via: "created" | "found-by-tag";
  readonly duplicates: DuplicateCheck;
}

/**
 * `transport` must be the single-request MachinesApi: the whole sequence (look-up, create) is retried here as one
 * unit, so stacking another retry layer under it would multiply the attempts. Capacity and 4xx are not retried.
 */
export const spawnMachine = (
  transport: MachinesApi,
  retry: FlyRetry,
  request: SpawnMachineRequest,
  options: SpawnOptions = {},
): ResultAsync<SpawnedMachine, FlyError> => {
  const body = buildCreateMachineBody(request);
  let mayExist = options.lookUpFirst === true;
  const attempt = () =>
    (mayExist ? findMachinesByTag(transport, request.tag) : okAsync<FlyMachine[], FlyError>([])).andThen(
      (found) => {
        const existing = found[0];
        if (existing !== undefined) return okAsync({ machine: existing, via: "found-by-tag" as const });
        return transport
          .createMachine(body)
          .map((machine) => ({ machine, via: "created" as const }))
          .orElse((error) => {
            // A timeout or 5xx on create may still have made the machine: never create again without looking.
            if (error.kind === "unavailable") mayExist = true;
            return errAsync(error);
          });
      },
    );
  return retryTransient(retry, attempt).andThen((spawned) =>
    mayExist
      ? destroyDuplicates(transport, retry, request.tag, spawned.machine).map((duplicates) => ({
          ...spawned,
          duplicates,
        }))
      : okAsync({ ...spawned, duplicates: { kind: "not-needed" as const } }),
  );
};

/** A create that failed ambiguously may land after our look-up; keep `kept` and destroy any other machine for the tag. */
const destroyDuplicates = (
  transport: MachinesApi,
  retry: FlyRetry,
  tag: string,
  kept: FlyMachine,
): ResultAsync<DuplicateCheck, never> =>
  retryTransient(retry, () => findMachinesByTag(transport, tag))
    .andThen((found) =>
      ResultAsync.combine(
        found
          .filter((machine) => machine.id !== kept.id)
          .map((machine) =>
            retryTransient(retry, () => transport.destroyMachine(machine.id, { force: true }))
              .orElse((error) => (error.kind === "not-found" ? okAsync(undefined) : errAsync(error)))
              .map(() => machine.id),
          ),
      ),
    )
    .map((destroyed): DuplicateCheck => ({ kind: "checked", destroyed }))
    .orElse((error) => okAsync({ kind: "check-failed" as const, error }));
