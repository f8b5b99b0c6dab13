// Finds the OpenAPI operation for a request and checks its parameters, request body and response body.
import {
  type HttpMethod,
  isHttpMethod,
  jsonSchemaOf,
  type OpenApiDocument,
  type OpenApiOperation,
  type OpenApiParameter,
} from "./openapi-document.ts";
import { type SchemaViolation, validateOpenApiSchema } from "./validate-openapi-schema.ts";

export interface SpecOperationMatch {
  readonly operationId: string;
  readonly operation: OpenApiOperation;
  readonly pathParams: Readonly<Record<string, string>>;
}

export type RequestBodyRead =
  | { readonly kind: "none" }
  | { readonly kind: "json"; readonly value: unknown }
  | { readonly kind: "unparseable"; readonly reason: string };

/** The operation whose path template matches; literal segments win over `{params}` (`/certificates/acme`). */
export const findSpecOperation = (
  doc: OpenApiDocument,
  method: string,
  pathname: string,
): SpecOperationMatch | null => {
  const lower = method.toLowerCase();
  if (!isHttpMethod(lower) || !pathname.startsWith(`${doc.basePath}/`)) return null;
  const segments = pathname.slice(doc.basePath.length).split("/");
  let best: { match: SpecOperationMatch; params: number } | null = null;
  for (const [template, item] of Object.entries(doc.paths)) {
    const operation = item[lower as HttpMethod];
    const pathParams = operation ? matchTemplate(template, segments) : null;
    if (!operation || !pathParams) continue;
    const params = Object.keys(pathParams).length;
    if (best === null || params < best.params) {
      best = { match: { operationId: operation.operationId, operation, pathParams }, params };
    }
  }
  return best?.match ?? null;
};

const matchTemplate = (template: string, segments: readonly string[]): Record<string, string> | null => {
  const parts = template.split("/");
  if (parts.length !== segments.length) return null;
  const params: Record<string, string> = {};
  for (const [index, part] of parts.entries()) {
    const segment = segments[index] ?? "";
    const name = /^\{(.+)\}$/.exec(part)?.[1];
    if (name !== undefined) {
      if (segment === "") return null;
      params[name] = decodeURIComponent(segment);
    } else if (part !== segment) {
      return null;
    }
  }
  return params;
};

/** Path and query parameters, and the JSON body, against the operation. Undeclared query parameters pass. */
export const checkSpecRequest = (
  doc: OpenApiDocument,
  match: SpecOperationMatch,
  query: URLSearchParams,
  body: RequestBodyRead,
): SchemaViolation[] => {
  const violations: SchemaViolation[] = [];
  for (const parameter of match.operation.parameters) {
    if (parameter.in === "path") {
      violations.push(...checkParameter(doc, parameter, match.pathParams[parameter.name] ?? null));
    } else if (parameter.in === "query") {
      violations.push(...checkParameter(doc, parameter, query.get(parameter.name)));
    }
  }
  const requestBody = match.operation.requestBody;
  if (body.kind === "unparseable") {
    violations.push({ path: "$", message: `request body is not JSON: ${body.reason}` });
  } else if (body.kind === "none") {
    if (requestBody?.required) violations.push({ path: "$", message: "request body is required" });
  } else {
    const schema = jsonSchemaOf(requestBody?.content);
    if (requestBody === undefined)
      violations.push({ path: "$", message: "this operation takes no request body" });
    else if (schema !== undefined) violations.push(...validateOpenApiSchema(schema, body.value, doc.root));
  }
  return violations;
};

const checkParameter = (
  doc: OpenApiDocument,
  parameter: OpenApiParameter,
  raw: string | null,
): SchemaViolation[] => {
  const path = `${parameter.in}.${parameter.name}`;
  if (raw === null) return parameter.required ? [{ path, message: "required parameter is missing" }] : [];
  if (parameter.schema === undefined) return [];
  const type = (parameter.schema as { type?: unknown }).type;
  const value = coerceParameter(raw, type);
  if (value === undefined) return [{ path, message: `expected ${String(type)}, got ${JSON.stringify(raw)}` }];
  return validateOpenApiSchema(parameter.schema, value, doc.root, path);
};

const coerceParameter = (raw: string, type: unknown): unknown => {
  switch (type) {
    case "integer":
      return /^-?\d+$/.test(raw) ? Number(raw) : undefined;
    case "number":
      return raw.trim() !== "" && Number.isFinite(Number(raw)) ? Number(raw) : undefined;
    case "boolean":
      return raw === "true" ? true : raw === "false" ? false : undefined;
    default:
      return raw;
  }
};

/**
 * A response body against the schema the operation declares for its status. Error statuses the document does
 * not list are checked against `undocumentedErrorSchema` (Fly answers those with its ErrorResponse); an
 * undocumented success status is itself a violation.
 */
export const checkSpecResponse = (
  doc: OpenApiDocument,
  match: SpecOperationMatch,
  status: number,
  body: unknown,
  undocumentedErrorSchema: unknown,
): SchemaViolation[] => {
  const declared = match.operation.responses[String(status)] ?? match.operation.responses.default;
  const schema = declared
    ? jsonSchemaOf(declared.content)
    : status >= 400
      ? undocumentedErrorSchema
      : undefined;
  if (declared === undefined && status < 400) {
    return [{ path: "$", message: `status ${status} is not documented for ${match.operationId}` }];
  }
  return schema === undefined ? [] : validateOpenApiSchema(schema, body, doc.root);
};
