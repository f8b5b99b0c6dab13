// How failures of the stores (Redis, object storage, Fly) read as API errors; the HTTP mapping is api-error.ts.
import type { JobStoreError, TransitionError } from "../../redis/job-store.ts";
import type { AdmitMachinesError, MachineStoreError } from "../../redis/machine-store.ts";
import type { StorageError } from "../../storage/object-store.ts";
import type { OnceMemoryError } from "../callbacks/once-memory.ts";
import { type ApiError, storeUnavailable, unavailable } from "./api-error.ts";

type StoreError = JobStoreError | MachineStoreError | AdmitMachinesError | OnceMemoryError;

export const fromStoreError = (error: StoreError): ApiError => {
  switch (error.kind) {
    case "redis-unavailable":
      return storeUnavailable();
    case "conflict":
      return unavailable("the job kept changing; try again");
    case "contended":
      return unavailable("admission is busy; try again");
    default:
      return { kind: "internal", message: `${error.kind}: ${"message" in error ? error.message : ""}` };
  }
};

export const fromTransitionError = (error: TransitionError): ApiError => {
  if (error.kind !== "rejected") return fromStoreError(error);
  const { rejection } = error;
  return rejection.code === "not-found"
    ? { kind: "not-found", message: rejection.message }
    : { kind: "conflict", code: rejection.code, message: rejection.message };
};

export const fromStorageError = (error: StorageError): ApiError => {
  switch (error.kind) {
    case "unavailable":
      return unavailable("object storage is unreachable; try again shortly");
    case "not-found":
      return { kind: "not-found", message: error.message };
    case "too-large":
      return { kind: "payload-too-large", message: error.message };
    case "rejected":
      return { kind: "invalid-request", message: `storage refused the request: ${error.code}` };
    default:
      return { kind: "internal", message: `storage ${error.kind}: ${error.message}` };
  }
};
