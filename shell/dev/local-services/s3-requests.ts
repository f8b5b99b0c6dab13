// Signed S3 requests the local services need (bucket creation), made the way R2 clients make them.
import { AwsClient } from "aws4fetch";
import type { S3Connection } from "./running-services.ts";

/** An aws4fetch client for the server, signing as R2 expects (`service: "s3", region: "auto"`), no retries. */
export const s3Client = (s3: S3Connection): AwsClient =>
  new AwsClient({
    accessKeyId: s3.accessKeyId,
    secretAccessKey: s3.secretAccessKey,
    service: "s3",
    region: s3.region,
    retries: 0,
  });

/** Path-style URL of a bucket or of an object key (each key segment percent-encoded). */
export const s3Url = (s3: S3Connection, bucket: string, key?: string): string => {
  const base = `${s3.endpoint.replace(/\/+$/, "")}/${encodeURIComponent(bucket)}`;
  return key === undefined ? base : `${base}/${key.split("/").map(encodeURIComponent).join("/")}`;
};

/** Creates a bucket; throws with the server's reply when it refuses. */
export async function createBucket(s3: S3Connection, name: string): Promise<void> {
  const response = await s3Client(s3).fetch(s3Url(s3, name), { method: "PUT" });
  if (!response.ok) {
    throw new Error(`creating bucket ${name} failed: HTTP ${response.status} ${await response.text()}`);
  }
  await response.arrayBuffer();
}
