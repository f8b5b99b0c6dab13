// A machine's own callback key: HMAC-SHA256(CALLBACK_SECRET, "tcoder-callback-v1:<machineId>") in hex. The control
// plane derives it when it starts the machine (the machine gets only this key, never the root secret) and again
// when a callback arrives for the machine the callback names, so one machine's key cannot sign for another.
import { hmacHex } from "./hmac-signature.ts";

const PURPOSE = "tcoder-callback-v1";

export const machineCallbackKey = (rootSecret: string, machineId: string): Promise<string> =>
  hmacHex(rootSecret, `${PURPOSE}:${machineId}`);

/** The keys a callback from `machineId` may be signed with: one per root secret accepted now (rotation). */
export const machineCallbackKeys = (
  rootSecrets: readonly string[],
  machineId: string,
): Promise<readonly string[]> => Promise.all(rootSecrets.map((root) => machineCallbackKey(root, machineId)));
