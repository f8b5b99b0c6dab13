// Client API keys: the presented key's SHA-256 is compared with every configured key's digest in constant time,
// so neither the key nor which entry matched leaks through timing.
const encoder = new TextEncoder();

const sha256 = async (text: string): Promise<Uint8Array> =>
  new Uint8Array(await crypto.subtle.digest("SHA-256", encoder.encode(text)));

const hex = (bytes: Uint8Array): string => [...bytes].map((b) => b.toString(16).padStart(2, "0")).join("");

export type ApiKeyCheck = (authorization: string | undefined) => Promise<{ readonly keyId: string } | null>;

/** `keyId` is a short, stable, non-secret id of the matched key (scopes idempotency keys per client). */
export const apiKeyCheck = (keys: readonly string[]): ApiKeyCheck => {
  if (keys.length === 0) throw new Error("apiKeyCheck: no API keys configured");
  const digests = Promise.all(keys.map(sha256));
  return async (authorization) => {
    const match = /^Bearer\s+(\S{1,512})\s*$/i.exec(authorization ?? "");
    if (!match?.[1]) return null;
    const presented = await sha256(match[1]);
    let found: Uint8Array | null = null;
    for (const digest of await digests) {
      let diff = 0;
      for (let i = 0; i < digest.length; i++) diff |= (digest[i] as number) ^ (presented[i] as number);
      if (diff === 0) found = digest;
    }
    return found === null ? null : { keyId: hex(found).slice(0, 16) };
  };
};
