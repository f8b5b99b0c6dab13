// What a running local service looks like to its users (dev stack, tests): Redis and an S3-compatible server.

export interface RedisOptions {
  /** `appendonly yes` with `appendfsync everysec`, so data survives a kill + restart. Default: no persistence. */
  readonly appendonly?: boolean;
}

export interface RedisRestartOptions {
  /** SIGKILL simulates a crash (default); SIGTERM lets Redis shut down cleanly. */
  readonly signal?: "SIGKILL" | "SIGTERM";
}

export interface RunningRedis {
  readonly host: string;
  readonly port: number;
  /** `redis://host:port` */
  readonly url: string;
  /** Stops the server on the same port and starts it again with the same data directory. */
  restart(opts?: RedisRestartOptions): Promise<void>;
  stop(): Promise<void>;
}

/** Where and how to reach an S3-compatible server; serializable, so it can be `provide`d to tests. */
export interface S3Connection {
  /** `http://127.0.0.1:port` (path-style buckets). */
  readonly endpoint: string;
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly region: "auto";
}

export interface S3Credentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
}

export type ObjectCreatedEventName = "ObjectCreated:Put" | "ObjectCreated:Post" | "ObjectCreated:Copy";

/** One object written to the S3 server (s3rver's S3 `Records[]` entry, flattened). */
export interface ObjectCreatedEvent {
  /** `Post` covers both browser form uploads and CompleteMultipartUpload (s3rver does not tell them apart). */
  readonly eventName: ObjectCreatedEventName;
  readonly bucket: string;
  readonly key: string;
  readonly size: number;
  /** Hex MD5 without quotes; absent for copies. */
  readonly eTag?: string;
  /** ISO 8601 */
  readonly eventTime: string;
}

export type ObjectCreatedListener = (event: ObjectCreatedEvent) => void;

export interface RunningS3 extends S3Connection {
  createBucket(name: string): Promise<void>;
  /** Subscribes to object writes; returns the unsubscribe function. Only backends that can observe writes have it. */
  readonly onObjectCreated?: (listener: ObjectCreatedListener) => () => void;
  stop(): Promise<void>;
}

/** The part of a running S3 server that crosses process boundaries. */
export const toS3Connection = (s3: S3Connection): S3Connection => ({
  endpoint: s3.endpoint,
  accessKeyId: s3.accessKeyId,
  secretAccessKey: s3.secretAccessKey,
  region: s3.region,
});
