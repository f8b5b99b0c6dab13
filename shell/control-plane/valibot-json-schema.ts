// A small valibot → JSON Schema (2020-12, as OpenAPI 3.1 uses it) converter for the schema kinds the API uses.
// Anything else throws, so a new kind is noticed when the document is generated (a test builds it).
import type * as v from "valibot";

export type JsonSchema = { [key: string]: unknown };

interface Node {
  readonly kind: string;
  readonly type: string;
  readonly pipe?: readonly Node[];
  readonly entries?: Readonly<Record<string, Node>>;
  readonly wrapped?: Node;
  readonly default?: unknown;
  readonly options?: readonly unknown[];
  readonly item?: Node;
  readonly key?: Node;
  readonly value?: Node;
  readonly literal?: unknown;
  readonly requirement?: unknown;
  readonly items?: readonly Node[];
}

const applyAction = (schema: JsonSchema, action: Node): JsonSchema => {
  const req = action.requirement;
  const isArray = schema.type === "array";
  switch (action.type) {
    case "min_length":
      return { ...schema, [isArray ? "minItems" : "minLength"]: req };
    case "max_length":
      return { ...schema, [isArray ? "maxItems" : "maxLength"]: req };
    case "min_value":
      return { ...schema, minimum: req };
    case "max_value":
      return { ...schema, maximum: req };
    case "integer":
      return { ...schema, type: "integer" };
    case "regex":
      return { ...schema, pattern: (req as RegExp).source };
    case "url":
      return { ...schema, format: "uri" };
    case "finite":
    case "check":
    case "trim":
    case "transform":
      return schema;
    default:
      throw new Error(`toJsonSchema: unsupported action ${action.type}`);
  }
};

const convert = (node: Node): JsonSchema => {
  const base = convertBase(node);
  return (node.pipe ?? []).slice(1).reduce(applyAction, base);
};

const isOptional = (node: Node): boolean => node.type === "optional" || node.type === "exact_optional";

const convertBase = (node: Node): JsonSchema => {
  switch (node.type) {
    case "string":
      return { type: "string" };
    case "number":
      return { type: "number" };
    case "boolean":
      return { type: "boolean" };
    case "literal":
      return { const: node.literal };
    case "picklist":
      return { enum: [...(node.options ?? [])] };
    case "nullable":
      return { anyOf: [convert(node.wrapped as Node), { type: "null" }] };
    case "optional":
      return {
        ...convert(node.wrapped as Node),
        ...(node.default === undefined || typeof node.default === "function"
          ? {}
          : { default: node.default }),
      };
    case "array":
      return { type: "array", items: convert(node.item as Node) };
    case "record":
      return { type: "object", additionalProperties: convert(node.value as Node) };
    case "union":
    case "variant":
      return { anyOf: (node.options as Node[]).map(convert) };
    case "object":
    case "strict_object":
    case "loose_object": {
      const entries = Object.entries(node.entries ?? {});
      const required = entries.filter(([, entry]) => !isOptional(entry)).map(([name]) => name);
      return {
        type: "object",
        properties: Object.fromEntries(entries.map(([name, entry]) => [name, convert(entry)])),
        ...(required.length > 0 ? { required } : {}),
        ...(node.type === "strict_object" ? { additionalProperties: false } : {}),
      };
    }
    default:
      throw new Error(`toJsonSchema: unsupported schema ${node.type}`);
  }
};

export const toJsonSchema = (schema: v.GenericSchema): JsonSchema => convert(schema as unknown as Node);
