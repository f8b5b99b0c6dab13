// Reads Fly's published Machines OpenAPI document from fixtures/fly/ (see its README) for the fake to check against.
import { readFile } from "node:fs/promises";

export const FLY_MACHINES_SPEC_URL = new URL("../../fixtures/fly/machines-openapi.json", import.meta.url);

export const loadFlyMachinesSpec = async (): Promise<unknown> =>
  JSON.parse(await readFile(FLY_MACHINES_SPEC_URL, "utf8")) as unknown;
