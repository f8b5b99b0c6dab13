// The Authorization header for a Fly token: `FlyV1 <token>` for macaroon tokens (`fm2_...`), else `Bearer <token>`.

/** Accepts the token as `fly tokens create` prints it (`FlyV1 fm2_...`), bare (`fm2_...`), or a plain API token. */
export const flyAuthorization = (token: string): string => {
  const trimmed = token.trim();
  if (/^FlyV1\s+/i.test(trimmed)) return `FlyV1 ${trimmed.replace(/^FlyV1\s+/i, "")}`;
  if (trimmed.startsWith("fm2_")) return `FlyV1 ${trimmed}`;
  return `Bearer ${trimmed}`;
};
