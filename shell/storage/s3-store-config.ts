// Configuration of the S3/R2 object store, validated once at construction: bad config throws.
import * as v from "valibot";

const BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

const positiveInt = (max: number) => v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(max));

export const S3StoreConfigSchema = v.object({
  /** `https://<account>.r2.cloudflarestorage.com`, or a local server such as `http://127.0.0.1:4569`. */
  endpoint: v.pipe(
    v.string(),
    v.url(),
    v.check(
      (url) => /^https?:\/\/[^/?#]+\/?$/.test(url),
      "endpoint must be http(s)://host[:port] with no path",
    ),
    v.transform((url) => url.replace(/\/$/, "")),
  ),
  bucket: v.pipe(v.string(), v.regex(BUCKET, "bucket must be 3–63 of [a-z0-9.-]")),
  accessKeyId: v.pipe(v.string(), v.nonEmpty()),
  secretAccessKey: v.pipe(v.string(), v.nonEmpty()),
  /** R2 signs with region "auto". */
  region: v.optional(v.pipe(v.string(), v.nonEmpty()), "auto"),
  /**
   * Per attempt: the whole exchange for buffered requests; for streamed bodies, the longest the store may stall
   * (no bytes taken or given) before the request is aborted.
   */
  timeoutMs: v.optional(positiveInt(10 * 60_000), 30_000),
  retry: v.optional(
    v.object({
      retries: v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(10)),
      minTimeoutMs: v.pipe(v.number(), v.minValue(0)),
      maxTimeoutMs: v.pipe(v.number(), v.minValue(0)),
    }),
    { retries: 3, minTimeoutMs: 100, maxTimeoutMs: 2_000 },
  ),
});

export type S3StoreConfigInput = v.InferInput<typeof S3StoreConfigSchema>;
export type S3StoreConfig = v.InferOutput<typeof S3StoreConfigSchema>;
export type RetrySettings = S3StoreConfig["retry"];

export const parseS3StoreConfig = (input: S3StoreConfigInput): S3StoreConfig => {
  const parsed = v.safeParse(S3StoreConfigSchema, input);
  if (!parsed.success) {
    // Never echo the secret: valibot's messages quote the received value.
    const issues = parsed.issues.map((issue) => {
      const path = v.getDotPath(issue) ?? "config";
      return path === "secretAccessKey" ? `${path}: invalid` : `${path}: ${issue.message}`;
    });
    throw new Error(`invalid object-store config: ${issues.join("; ")}`);
  }
  return parsed.output;
};

const ACCOUNT_ID = /^[0-9a-f]{32}$/i;

/** The S3 endpoint of an R2 account; account ids are 32 hex characters. */
export const r2Endpoint = (accountId: string): string => {
  if (!ACCOUNT_ID.test(accountId)) throw new Error(`not an R2 account id: ${JSON.stringify(accountId)}`);
  return `https://${accountId.toLowerCase()}.r2.cloudflarestorage.com`;
};
