// The parts of an OpenAPI 3.0 document the fake reads (paths, operations, parameters, bodies), checked on load.
import * as v from "valibot";

const MediaSchema = v.looseObject({ schema: v.optional(v.unknown()) });
const ContentSchema = v.record(v.string(), MediaSchema);

const ParameterSchema = v.looseObject({
  name: v.string(),
  in: v.picklist(["path", "query", "header", "cookie"]),
  required: v.optional(v.boolean(), false),
  schema: v.optional(v.unknown()),
});

const OperationSchema = v.looseObject({
  operationId: v.string(),
  parameters: v.optional(v.array(ParameterSchema), []),
  requestBody: v.optional(
    v.looseObject({ required: v.optional(v.boolean(), false), content: ContentSchema }),
  ),
  responses: v.record(v.string(), v.looseObject({ content: v.optional(ContentSchema) })),
});

const METHODS = ["get", "put", "post", "delete", "patch", "head", "options"] as const;
export type HttpMethod = (typeof METHODS)[number];

const PathItemSchema = v.looseObject(
  Object.fromEntries(METHODS.map((m) => [m, v.optional(OperationSchema)])),
);

const DocumentSchema = v.looseObject({
  openapi: v.pipe(v.string(), v.startsWith("3.0.")),
  servers: v.optional(v.array(v.looseObject({ url: v.string() })), []),
  paths: v.record(v.string(), PathItemSchema),
  components: v.looseObject({ schemas: v.record(v.string(), v.unknown()) }),
});

export type OpenApiParameter = v.InferOutput<typeof ParameterSchema>;
export type OpenApiOperation = v.InferOutput<typeof OperationSchema>;

export interface OpenApiDocument {
  /** Path prefix of the first server (`/v1` for `https://api.machines.dev/v1`). */
  readonly basePath: string;
  readonly paths: Readonly<Record<string, Partial<Record<HttpMethod, OpenApiOperation>>>>;
  /** The whole parsed document, which `$ref`s resolve against. */
  readonly root: unknown;
}

/** Checks the document's shape once; a malformed document is bad configuration and throws. */
export const parseOpenApiDocument = (raw: unknown): OpenApiDocument => {
  const parsed = v.safeParse(DocumentSchema, raw);
  if (!parsed.success)
    throw new Error(`parseOpenApiDocument: not an OpenAPI 3.0 document: ${v.summarize(parsed.issues)}`);
  const server = parsed.output.servers[0]?.url;
  const basePath =
    server === undefined ? "" : new URL(server, "http://base.invalid").pathname.replace(/\/$/, "");
  return {
    basePath,
    paths: parsed.output.paths as OpenApiDocument["paths"],
    root: raw,
  };
};

export const isHttpMethod = (method: string): method is HttpMethod =>
  (METHODS as readonly string[]).includes(method);

/** The JSON schema of a request or response `content` map, when it declares one. */
export const jsonSchemaOf = (content: v.InferOutput<typeof ContentSchema> | undefined): unknown =>
  content?.["application/json"]?.schema;
