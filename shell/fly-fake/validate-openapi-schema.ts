// Checks a JSON value against an OpenAPI 3.0 schema (the subset Fly's Machines spec uses) and lists every violation.

export interface SchemaViolation {
  /** Where in the value: `$`, `$.config.guest.cpus`, `$.events[0].type`. */
  readonly path: string;
  readonly message: string;
}

type Schema = Readonly<Record<string, unknown>>;

const SUPPORTED = new Set([
  "$ref",
  "type",
  "nullable",
  "enum",
  "properties",
  "required",
  "additionalProperties",
  "items",
  "allOf",
  "oneOf",
  "anyOf",
]);
// Annotations that constrain nothing.
const IGNORED = new Set([
  "description",
  "example",
  "title",
  "default",
  "deprecated",
  "readOnly",
  "writeOnly",
]);

/**
 * Validates `value` against `schema`, resolving `$ref`s inside `root` (the whole OpenAPI document). A keyword
 * outside the supported subset throws: skipping a constraint silently would make the check a lie.
 */
export const validateOpenApiSchema = (
  schema: unknown,
  value: unknown,
  root: unknown,
  path = "$",
): SchemaViolation[] => {
  const s = asSchema(schema, path);
  if (typeof s.$ref === "string") return validateOpenApiSchema(resolveRef(root, s.$ref), value, root, path);
  for (const keyword of Object.keys(s)) {
    if (!SUPPORTED.has(keyword) && !IGNORED.has(keyword) && !keyword.startsWith("x-")) {
      throw new Error(`validateOpenApiSchema: unsupported keyword "${keyword}" at ${path}`);
    }
  }
  if (value === null && s.nullable === true) return [];
  const violations: SchemaViolation[] = [];
  if (typeof s.type === "string" && !hasType(value, s.type)) {
    return [{ path, message: `expected ${s.type}, got ${describe(value)}` }];
  }
  if (Array.isArray(s.enum) && !s.enum.some((allowed) => sameJson(allowed, value))) {
    violations.push({ path, message: `${JSON.stringify(value)} is not one of ${JSON.stringify(s.enum)}` });
  }
  if (isPlainObject(value)) violations.push(...checkObject(s, value, root, path));
  if (Array.isArray(value) && s.items !== undefined) {
    value.forEach((item, index) => {
      violations.push(...validateOpenApiSchema(s.items, item, root, `${path}[${index}]`));
    });
  }
  if (Array.isArray(s.allOf)) {
    for (const part of s.allOf) violations.push(...validateOpenApiSchema(part, value, root, path));
  }
  if (
    Array.isArray(s.anyOf) &&
    !s.anyOf.some((part) => validateOpenApiSchema(part, value, root, path).length === 0)
  ) {
    violations.push({ path, message: "matches none of the anyOf schemas" });
  }
  if (Array.isArray(s.oneOf)) {
    const matching = s.oneOf.filter(
      (part) => validateOpenApiSchema(part, value, root, path).length === 0,
    ).length;
    if (matching !== 1)
      violations.push({ path, message: `matches ${matching} of the oneOf schemas, not exactly 1` });
  }
  return violations;
};

const checkObject = (
  s: Schema,
  value: Readonly<Record<string, unknown>>,
  root: unknown,
  path: string,
): SchemaViolation[] => {
  const violations: SchemaViolation[] = [];
  const properties = s.properties === undefined ? {} : asSchema(s.properties, `${path} properties`);
  if (Array.isArray(s.required)) {
    for (const name of s.required) {
      if (typeof name === "string" && !(name in value)) {
        violations.push({ path, message: `missing required property "${name}"` });
      }
    }
  }
  for (const [name, child] of Object.entries(value)) {
    const childPath = `${path}.${name}`;
    if (Object.hasOwn(properties, name)) {
      violations.push(...validateOpenApiSchema(properties[name], child, root, childPath));
    } else if (s.additionalProperties === false) {
      violations.push({ path: childPath, message: "property not allowed (additionalProperties: false)" });
    } else if (isPlainObject(s.additionalProperties)) {
      violations.push(...validateOpenApiSchema(s.additionalProperties, child, root, childPath));
    }
  }
  return violations;
};

const hasType = (value: unknown, type: string): boolean => {
  switch (type) {
    case "string":
      return typeof value === "string";
    case "boolean":
      return typeof value === "boolean";
    case "number":
      return typeof value === "number" && Number.isFinite(value);
    case "integer":
      return typeof value === "number" && Number.isInteger(value);
    case "array":
      return Array.isArray(value);
    case "object":
      return isPlainObject(value);
    default:
      throw new Error(`validateOpenApiSchema: unknown type "${type}"`);
  }
};

/** Resolves a local JSON pointer such as `#/components/schemas/fly.MachineConfig`. */
const resolveRef = (root: unknown, ref: string): unknown => {
  if (!ref.startsWith("#/"))
    throw new Error(`validateOpenApiSchema: only local $refs are supported, got ${ref}`);
  let node: unknown = root;
  for (const raw of ref.slice(2).split("/")) {
    const key = raw.replaceAll("~1", "/").replaceAll("~0", "~");
    if (!isPlainObject(node) || !Object.hasOwn(node, key)) {
      throw new Error(`validateOpenApiSchema: $ref ${ref} does not resolve`);
    }
    node = node[key];
  }
  return node;
};

const asSchema = (schema: unknown, path: string): Schema => {
  if (!isPlainObject(schema))
    throw new Error(`validateOpenApiSchema: the schema at ${path} is not an object`);
  return schema;
};

const isPlainObject = (value: unknown): value is Readonly<Record<string, unknown>> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

const describe = (value: unknown): string =>
  value === null
    ? "null"
    : Array.isArray(value)
      ? "array"
      : Number.isInteger(value)
        ? "integer"
        : typeof value;

const sameJson = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);
