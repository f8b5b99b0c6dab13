// Checks the request's token (Authorization: Bearer, or Upstash's `_token` query parameter) in constant time.
import { createHash, timingSafeEqual } from "node:crypto";

const BEARER = /^Bearer\s+(\S+)\s*$/i;

export function checkBearerToken(authorization: string | undefined, url: URL, expected: string): boolean {
  const presented = authorization?.match(BEARER)?.[1] ?? url.searchParams.get("_token");
  if (presented === null || presented === undefined) return false;
  // Hashing first gives equal lengths, so the comparison leaks neither content nor length.
  return timingSafeEqual(digest(presented), digest(expected));
}

function digest(token: string): Buffer {
  return createHash("sha256").update(token, "utf8").digest();
}
