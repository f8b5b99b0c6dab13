// Checks a request's Authorization header the way Fly accepts tokens: `Bearer <token>` or `FlyV1 <token>`.
import { createHash, timingSafeEqual } from "node:crypto";

const SCHEME = /^(?:Bearer|FlyV1)\s+(.+?)\s*$/i;

/**
 * `expected` is the token as the operator holds it; a printed `FlyV1 fm2_...` token is compared without its
 * `FlyV1 ` prefix, since that prefix is the header's scheme.
 */
export const checkFlyAuthorization = (authorization: string | undefined, expected: string): boolean => {
  const presented = authorization?.match(SCHEME)?.[1];
  if (presented === undefined) return false;
  // Hashing first gives equal lengths, so the comparison leaks neither content nor length.
  return timingSafeEqual(digest(presented), digest(expected.replace(/^FlyV1\s+/i, "")));
};

const digest = (token: string): Buffer => createHash("sha256").update(token, "utf8").digest();
