// The fingerprint of a create request: its route and its validated body as canonical JSON (keys sorted, absent
// fields left out), hashed. It is kept with the job an Idempotency-Key made, so the key coming back with another
// request is told apart from a replay of the same one.
import { sha256Hex } from "../../signing/sha256-hex.ts";

export type CreateRoute = "POST /api/upload" | "POST /api/jobs";

/** JSON with object keys sorted at every level and undefined fields dropped: one text per meaning. */
const canonicalJson = (value: unknown): string => {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (value !== null && typeof value === "object") {
    const fields = Object.entries(value)
      .filter(([, field]) => field !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([name, field]) => `${JSON.stringify(name)}:${canonicalJson(field)}`);
    return `{${fields.join(",")}}`;
  }
  return JSON.stringify(value);
};

export const requestFingerprint = (route: CreateRoute, body: object): Promise<string> =>
  sha256Hex(canonicalJson({ route, body }));
