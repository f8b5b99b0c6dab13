// Runs @20minutes/s3rver in this process on a free port: verifies SigV4, refuses anonymous requests, reports writes.
import { mkdtemp, rm } from "node:fs/promises";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { LOOPBACK } from "./free-port.ts";
import { createBucket } from "./s3-requests.ts";
import type {
  ObjectCreatedEvent,
  ObjectCreatedEventName,
  ObjectCreatedListener,
  RunningS3,
  S3Credentials,
} from "./service-backend.ts";

// s3rver ships no types; these are the parts we use (see node_modules/@20minutes/s3rver/lib/s3rver.js).
interface KoaContext {
  readonly method: string;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly query: Record<string, unknown>;
  status: number;
  type: string;
  body: unknown;
}
type KoaMiddleware = (ctx: KoaContext, next: () => Promise<void>) => Promise<void> | void;
type RawEventHandler = (event: unknown) => void;
interface S3rverInstance {
  readonly middleware: KoaMiddleware[];
  run(): Promise<{ readonly port: number }>;
  close(): Promise<void>;
  on(name: "event", handler: RawEventHandler): void;
  off(name: "event", handler: RawEventHandler): void;
}
type S3rverConstructor = new (options: {
  readonly address: string;
  readonly port: number;
  readonly directory: string;
  readonly silent: boolean;
  readonly allowMismatchedSignatures: boolean;
}) => S3rverInstance;
interface AwsAccount {
  createKeyPair(accessKeyId: string, secretAccessKey: string): void;
  revokeAccessKey(accessKeyId: string): void;
}

const require = createRequire(import.meta.url);
const S3rver = require("@20minutes/s3rver") as S3rverConstructor;
// Keys live in a process-wide registry; every bucket belongs to s3rver's single dummy account.
const { DUMMY_ACCOUNT } = require("@20minutes/s3rver/lib/models/account.js") as { DUMMY_ACCOUNT: AwsAccount };
const BUILT_IN_KEY = "S3RVER";

export async function startLocalS3(credentials: S3Credentials): Promise<RunningS3> {
  const directory = await mkdtemp(join(tmpdir(), "tcoder-s3-"));
  DUMMY_ACCOUNT.revokeAccessKey(BUILT_IN_KEY);
  DUMMY_ACCOUNT.createKeyPair(credentials.accessKeyId, credentials.secretAccessKey);
  const server = new S3rver({
    address: LOOPBACK,
    port: 0,
    directory,
    silent: true,
    allowMismatchedSignatures: false,
  });
  server.middleware.unshift(refuseAnonymous);
  let port: number;
  try {
    ({ port } = await server.run());
  } catch (error) {
    DUMMY_ACCOUNT.revokeAccessKey(credentials.accessKeyId);
    await rm(directory, { recursive: true, force: true });
    throw error;
  }

  const connection = {
    endpoint: `http://${LOOPBACK}:${port}`,
    accessKeyId: credentials.accessKeyId,
    secretAccessKey: credentials.secretAccessKey,
    region: "auto",
  } as const;
  return {
    ...connection,
    createBucket: (name) => createBucket(connection, name),
    onObjectCreated(listener: ObjectCreatedListener) {
      const handler: RawEventHandler = (raw) => {
        const event = toObjectCreatedEvent(raw);
        if (event !== undefined) listener(event);
      };
      server.on("event", handler);
      return () => server.off("event", handler);
    },
    async stop() {
      await server.close();
      DUMMY_ACCOUNT.revokeAccessKey(credentials.accessKeyId);
      await rm(directory, { recursive: true, force: true });
    },
  };
}

/** R2's S3 endpoint never serves anonymous requests; s3rver does unless we stop them first. */
const refuseAnonymous: KoaMiddleware = (ctx, next) => {
  const signed = "authorization" in ctx.headers || "X-Amz-Algorithm" in ctx.query || "Signature" in ctx.query;
  if (signed || ctx.method === "OPTIONS") return next();
  ctx.status = 403;
  ctx.type = "application/xml";
  ctx.body =
    '<?xml version="1.0" encoding="UTF-8"?>\n' +
    "<Error><Code>AccessDenied</Code><Message>Anonymous requests are refused.</Message></Error>";
};

const CREATED_NAMES: readonly string[] = [
  "ObjectCreated:Put",
  "ObjectCreated:Post",
  "ObjectCreated:Copy",
] satisfies ObjectCreatedEventName[];

interface RawRecord {
  readonly eventName?: unknown;
  readonly eventTime?: unknown;
  readonly s3?: { readonly bucket?: { readonly name?: unknown }; readonly object?: Record<string, unknown> };
}

/** Flattens s3rver's `{Records: [record]}`; undefined for deletes. */
function toObjectCreatedEvent(raw: unknown): ObjectCreatedEvent | undefined {
  const record = (raw as { Records?: readonly RawRecord[] }).Records?.[0];
  const name = record?.eventName;
  if (typeof name !== "string" || !CREATED_NAMES.includes(name)) return undefined;
  const bucket = record?.s3?.bucket?.name;
  const object = record?.s3?.object ?? {};
  if (typeof bucket !== "string" || typeof object.key !== "string" || typeof object.size !== "number") {
    throw new Error(`unexpected s3rver event shape: ${JSON.stringify(raw)}`);
  }
  return {
    eventName: name as ObjectCreatedEventName,
    bucket,
    key: object.key,
    size: object.size,
    ...(typeof object.eTag === "string" ? { eTag: object.eTag } : {}),
    eventTime: String(record?.eventTime),
  };
}
