// Isolation helpers so integration tests can share one Redis and one S3 server while running in parallel.
import { randomBytes } from "node:crypto";
import { createBucket } from "../../shell/dev/local-services/s3-requests.ts";
import type { S3Connection, S3Credentials } from "./service-backend.ts";

const randomHex = (bytes: number): string => randomBytes(bytes).toString("hex");

/** A Redis key prefix no other test uses, e.g. `test:claim-job:3f9a1c0e2b7d:`. */
export const uniquePrefix = (label: string): string => `test:${label}:${randomHex(6)}:`;

/** Bucket names: 3–63 chars of [a-z0-9-], starting and ending with a letter or digit. */
export const testBucketName = (label: string): string => {
  const slug = label
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 40)
    .replace(/-+$/, "");
  return `${slug === "" ? "test" : slug}-${randomHex(6)}`;
};

/** Creates a fresh, empty bucket on the server and returns its name. */
export async function createTestBucket(s3: S3Connection, label: string): Promise<string> {
  const name = testBucketName(label);
  await createBucket(s3, name);
  return name;
}

/** Random S3 credentials for one run: nothing real-looking is ever committed or reused. */
export const randomS3Credentials = (): S3Credentials => ({
  accessKeyId: `TCODERTEST${randomHex(5).toUpperCase()}`,
  secretAccessKey: randomBytes(30).toString("base64url"),
});
