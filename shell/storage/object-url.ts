// Path-style S3 URLs: `${endpoint}/${bucket}/${key}` with each key segment percent-encoded per RFC 3986.

const MAX_KEY_BYTES = 1024;
const utf8 = new TextEncoder();

/** encodeURIComponent leaves !'()* alone; RFC 3986 (and SigV4's canonical URI) wants them encoded too. */
export const encodeRfc3986 = (text: string): string =>
  encodeURIComponent(text).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

/**
 * Throws on keys no caller of ours should produce: empty, over 1024 bytes, or with `.`/`..` segments, which
 * URL parsing (WHATWG, even when percent-encoded) would collapse into another key.
 */
export const assertObjectKey = (key: string): void => {
  if (key.length === 0 || utf8.encode(key).length > MAX_KEY_BYTES) {
    throw new RangeError(
      `object key must be 1–${MAX_KEY_BYTES} bytes, got ${JSON.stringify(key.slice(0, 80))}`,
    );
  }
  if (key.split("/").some((segment) => segment === "." || segment === "..")) {
    throw new RangeError(`object key must not contain "." or ".." segments: ${JSON.stringify(key)}`);
  }
};

export const encodeObjectKey = (key: string): string => key.split("/").map(encodeRfc3986).join("/");

export type Query = Readonly<Record<string, string>>;

/** The URL of the bucket (`key` undefined) or of one object, with optional query parameters. */
export const objectUrl = (endpoint: string, bucket: string, key?: string, query: Query = {}): URL => {
  if (key !== undefined) assertObjectKey(key);
  const path = key === undefined ? `/${bucket}` : `/${bucket}/${encodeObjectKey(key)}`;
  const url = new URL(`${endpoint}${path}`);
  for (const [name, value] of Object.entries(query)) url.searchParams.set(name, value);
  return url;
};
