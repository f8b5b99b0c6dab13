// Tokens for stable HLS URLs (/media/<token>/<jobId>/<path>): `<expiry unix s>.<base64url HMAC-SHA256>` over
// "media-v1.<jobId>.<expiry>". In the path, so a playlist's relative variant and segment URIs keep the token.
const encoder = new TextEncoder();
const PREFIX = "media-v1";
/** Expiries are rounded up to this, so the URL of a job's output stays the same for a while (and caches well). */
const EXPIRY_STEP_S = 3600;

const base64url = (bytes: ArrayBuffer): string =>
  btoa(String.fromCharCode(...new Uint8Array(bytes)))
    .replace(/\+/g, "-")
    .replace(/\//g, "_")
    .replace(/=+$/, "");

export interface MediaTokens {
  /** A token valid for at least `ttlSeconds` from `nowMs`. */
  issue(jobId: string, nowMs: number, ttlSeconds: number): Promise<string>;
  /** The token's expiry (unix s) when it is authentic for `jobId` and not expired; null otherwise. */
  verify(token: string, jobId: string, nowMs: number): Promise<number | null>;
}

export const mediaTokens = (secret: string): MediaTokens => {
  const key = crypto.subtle.importKey(
    "raw",
    encoder.encode(secret),
    { name: "HMAC", hash: "SHA-256" },
    false,
    ["sign"],
  );
  const mac = async (jobId: string, expiry: number) =>
    base64url(await crypto.subtle.sign("HMAC", await key, encoder.encode(`${PREFIX}.${jobId}.${expiry}`)));
  return {
    async issue(jobId, nowMs, ttlSeconds) {
      const expiry = Math.ceil((Math.floor(nowMs / 1000) + ttlSeconds) / EXPIRY_STEP_S) * EXPIRY_STEP_S;
      return `${expiry}.${await mac(jobId, expiry)}`;
    },
    async verify(token, jobId, nowMs) {
      const match = /^(\d{1,12})\.([A-Za-z0-9_-]{43})$/.exec(token);
      if (!match?.[1] || !match[2]) return null;
      const expiry = Number(match[1]);
      if (expiry * 1000 <= nowMs) return null;
      const expected = await mac(jobId, expiry);
      let diff = 0;
      for (let i = 0; i < expected.length; i++) diff |= expected.charCodeAt(i) ^ match[2].charCodeAt(i);
      return diff === 0 ? expiry : null;
    },
  };
};
