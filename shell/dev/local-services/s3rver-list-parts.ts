// S3 ListParts (GET /<bucket>/<key>?uploadId=…) for s3rver, which does not implement it: the parts are read from
// s3rver's own store (<dir>/<bucket>/._S3rver_uploads/<uploadId>/<n>, with <n>.md5 written once a part is whole),
// answered in S3's XML with max-parts / part-number-marker paging. The route is added to s3rver's router after its
// SigV4 check, so a listing is signed and verified like any other request.
import { readdir, readFile, stat } from "node:fs/promises";
import { createRequire } from "node:module";
import { join } from "node:path";

interface RouterContext {
  readonly method: string;
  readonly query: Record<string, string | undefined>;
  readonly params: { readonly bucket: string; readonly key: string; readonly queryMethod?: string };
  readonly app: { readonly store: { readonly rootDirectory: string } };
  body: unknown;
}
type Handler = (ctx: RouterContext, next: () => Promise<void>) => Promise<void>;
interface Layer {
  readonly path: string;
  readonly methods: readonly string[];
}
interface Router {
  readonly stack: Layer[];
  get(path: string, handler: Handler): Router;
}
type S3ErrorConstructor = new (code: string, message: string) => Error;

const require = createRequire(import.meta.url);
// The same module instances s3rver itself loads: its router is a module-level singleton.
const router = require("@20minutes/s3rver/lib/routes.js") as Router;
const S3Error = require("@20minutes/s3rver/lib/models/error.js") as S3ErrorConstructor;

const OBJECT_PATH = "/:bucket/:key+";
const MAX_PARTS_PER_PAGE = 1000;
let installed = false;

/** Adds ListParts to every s3rver in this process (idempotent). */
export const addListPartsToS3rver = (): void => {
  if (installed) return;
  installed = true;
  router.get(OBJECT_PATH, listParts);
  // Move the new layer in front of s3rver's own object GET, which refuses `?uploadId` as MethodNotAllowed.
  const added = router.stack.pop() as Layer;
  const objectGet = router.stack.findIndex(
    (layer) => layer.path === OBJECT_PATH && layer.methods.includes("GET"),
  );
  if (objectGet < 0) throw new Error("s3rver's router has no object GET route to put ListParts before");
  router.stack.splice(objectGet, 0, added);
};

const listParts: Handler = async (ctx, next) => {
  if (ctx.params.queryMethod !== "uploadId" || ctx.query.partNumber !== undefined) return next();
  const uploadId = ctx.query.uploadId ?? "";
  const dir = join(ctx.app.store.rootDirectory, ctx.params.bucket, "._S3rver_uploads", uploadId);
  const noSuchUpload = () => new S3Error("NoSuchUpload", "The specified upload does not exist.");
  if (!/^[0-9a-f]{32}$/.test(uploadId)) throw noSuchUpload();
  const key = await readFile(join(dir, "key"), "utf8").catch(() => null);
  if (key !== ctx.params.key) throw noSuchUpload();

  const pageSize = Math.min(
    MAX_PARTS_PER_PAGE,
    Math.max(1, Number(ctx.query["max-parts"] ?? MAX_PARTS_PER_PAGE)),
  );
  const marker = Number(ctx.query["part-number-marker"] ?? 0);
  // A part counts once its .md5 is written: s3rver writes it after the part's last byte.
  const numbers = (await readdir(dir))
    .flatMap((name) => /^(\d+)\.md5$/.exec(name)?.slice(1, 2) ?? [])
    .map(Number)
    .filter((n) => n > marker)
    .sort((a, b) => a - b);
  const page = numbers.slice(0, pageSize);
  const parts = await Promise.all(
    page.map(async (n) => {
      const [md5, info] = await Promise.all([
        readFile(join(dir, `${n}.md5`), "utf8"),
        stat(join(dir, String(n))),
      ]);
      return {
        PartNumber: n,
        LastModified: info.mtime.toISOString(),
        ETag: JSON.stringify(md5.trim()),
        Size: info.size,
      };
    }),
  );
  const truncated = numbers.length > page.length;
  ctx.body = {
    ListPartsResult: {
      "@": { xmlns: "http://s3.amazonaws.com/doc/2006-03-01/" },
      Bucket: ctx.params.bucket,
      Key: ctx.params.key,
      UploadId: uploadId,
      PartNumberMarker: marker,
      NextPartNumberMarker: page.at(-1) ?? marker,
      MaxParts: pageSize,
      IsTruncated: truncated,
      Part: parts,
    },
  };
};
