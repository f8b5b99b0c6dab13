// Runs @20minutes/s3rver in this process: verifies SigV4, refuses anonymous requests and chunked PUTs (411, as R2
// and S3 do), aborts multipart uploads and lists their parts (which s3rver lacks), refuses parts of unknown uploads,
// reports writes. Tests use a temporary directory and a free port; make dev keeps its data and gives its buckets a
// CORS policy.
import { mkdir, mkdtemp, rm, stat } from "node:fs/promises";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { LOOPBACK } from "./free-port.ts";
import type {
  ObjectCreatedEvent,
  ObjectCreatedEventName,
  ObjectCreatedListener,
  RunningS3,
  S3Credentials,
} from "./running-services.ts";
import { createBucket } from "./s3-requests.ts";
import { addListPartsToS3rver } from "./s3rver-list-parts.ts";

// s3rver ships no types; these are the parts we use (see node_modules/@20minutes/s3rver/lib/s3rver.js).
interface KoaContext {
  readonly method: string;
  readonly path: string;
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
  readonly store: { getResourcePath(bucket: string, key: string | undefined, resource: string): string };
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
  readonly configureBuckets: readonly { readonly name: string; readonly configs: readonly string[] }[];
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

export interface LocalS3Options {
  /** Keep objects here (created if missing, never removed). Default: a temporary directory removed on stop. */
  readonly directory?: string;
  /** 0 (the default) picks a free port. */
  readonly port?: number;
  /** Buckets created (if missing) before the server answers, each with the CORS policy of `cors` when set. */
  readonly buckets?: readonly { readonly name: string; readonly cors?: boolean }[];
  /** One line per request: method, path and status (never the query, which holds presigned signatures). */
  readonly onRequest?: (line: string) => void;
}

/** Lets a browser PUT a presigned upload with its content type, GET outputs, and read the ETag of what it sent. */
export const BROWSER_CORS_POLICY = `<CORSConfiguration>
  <CORSRule>
    <AllowedOrigin>*</AllowedOrigin>
    <AllowedMethod>GET</AllowedMethod>
    <AllowedMethod>HEAD</AllowedMethod>
    <AllowedMethod>PUT</AllowedMethod>
    <AllowedHeader>*</AllowedHeader>
    <ExposeHeader>ETag</ExposeHeader>
    <MaxAgeSeconds>600</MaxAgeSeconds>
  </CORSRule>
</CORSConfiguration>`;

export async function startLocalS3(
  credentials: S3Credentials,
  options: LocalS3Options = {},
): Promise<RunningS3> {
  const ownDir = options.directory === undefined;
  const directory = options.directory ?? (await mkdtemp(join(tmpdir(), "tcoder-s3-")));
  await mkdir(directory, { recursive: true });
  DUMMY_ACCOUNT.revokeAccessKey(BUILT_IN_KEY);
  DUMMY_ACCOUNT.createKeyPair(credentials.accessKeyId, credentials.secretAccessKey);
  addListPartsToS3rver();
  const server = new S3rver({
    address: LOOPBACK,
    port: options.port ?? 0,
    directory,
    silent: true,
    allowMismatchedSignatures: false,
    configureBuckets: (options.buckets ?? []).map((bucket) => ({
      name: bucket.name,
      configs: bucket.cors === true ? [BROWSER_CORS_POLICY] : [],
    })),
  });
  server.middleware.unshift(refuseAnonymous, refuseUnsizedPut, multipartUploads(server));
  const onRequest = options.onRequest;
  if (onRequest !== undefined) server.middleware.unshift(requestLog(onRequest));
  let port: number;
  try {
    ({ port } = await server.run());
  } catch (error) {
    DUMMY_ACCOUNT.revokeAccessKey(credentials.accessKeyId);
    if (ownDir) await rm(directory, { recursive: true, force: true });
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
      if (ownDir) await rm(directory, { recursive: true, force: true });
    },
  };
}

const requestLog =
  (write: (line: string) => void): KoaMiddleware =>
  async (ctx, next) => {
    try {
      await next();
      write(`${ctx.method} ${ctx.path} ${ctx.status}`);
    } catch (error) {
      // s3rver's errors (S3Error) carry their HTTP status; its error handler writes the reply afterwards.
      write(`${ctx.method} ${ctx.path} ${(error as { status?: number }).status ?? 500}`);
      throw error;
    }
  };

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

/** R2 and S3 answer 411 to a PUT (object or part) without Content-Length; s3rver would store a chunked body. */
const refuseUnsizedPut: KoaMiddleware = (ctx, next) => {
  if (ctx.method !== "PUT" || ctx.headers["content-length"] !== undefined) return next();
  ctx.status = 411;
  ctx.type = "application/xml";
  ctx.body =
    '<?xml version="1.0" encoding="UTF-8"?>\n' +
    "<Error><Code>MissingContentLength</Code><Message>You must provide the Content-Length HTTP header.</Message></Error>";
};

const s3Error = (ctx: KoaContext, status: number, code: string, message: string): void => {
  ctx.status = status;
  ctx.type = "application/xml";
  ctx.body = `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${message}</Message></Error>`;
};

/**
 * What R2 and S3 do and s3rver does not: AbortMultipartUpload (DELETE ?uploadId) removes the upload's parts, and a
 * part or a complete for an upload that does not exist (aborted, completed, never begun) is NoSuchUpload. The abort
 * is answered once s3rver has authenticated the request and refused the method (405) it does not implement.
 */
const multipartUploads =
  (server: S3rverInstance): KoaMiddleware =>
  async (ctx, next) => {
    const uploadId = ctx.query.uploadId;
    const bucket = ctx.path.split("/")[1];
    if (typeof uploadId !== "string" || !/^[0-9a-f]{1,64}$/.test(uploadId) || !bucket) return next();
    const uploadDir = join(server.store.getResourcePath(bucket, undefined, "uploads"), uploadId);
    const exists = await stat(join(uploadDir, "key")).then(
      () => true,
      () => false,
    );
    const noSuchUpload = () =>
      s3Error(ctx, 404, "NoSuchUpload", "The specified multipart upload does not exist.");
    if (ctx.method !== "DELETE") return exists ? next() : noSuchUpload();
    try {
      await next();
    } catch (error) {
      if ((error as { code?: string }).code !== "MethodNotAllowed") throw error;
      if (!exists) return noSuchUpload();
      await rm(uploadDir, { recursive: true, force: true });
      ctx.status = 204;
      ctx.body = null;
    }
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
