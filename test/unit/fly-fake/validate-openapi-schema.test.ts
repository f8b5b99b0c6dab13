// Given / when / then tables for the OpenAPI schema-subset validator, on small schemas and on Fly's own document.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { validateOpenApiSchema } from "../../../shell/fly-fake/validate-openapi-schema.ts";

const ROOT = {
  components: {
    schemas: {
      Guest: {
        type: "object",
        required: ["cpus"],
        properties: {
          cpus: { type: "integer" },
          cpu_kind: { type: "string", enum: ["shared", "performance"] },
        },
      },
      Strict: { type: "object", properties: { a: { type: "string" } }, additionalProperties: false },
      Env: { type: "object", additionalProperties: { type: "string" } },
      WithGuest: {
        type: "object",
        properties: { guest: { allOf: [{ $ref: "#/components/schemas/Guest" }] } },
      },
      List: { type: "array", items: { $ref: "#/components/schemas/Guest" } },
      MaybeName: { type: "string", nullable: true },
      OneOf: { oneOf: [{ type: "string" }, { type: "integer" }, { type: "number" }] },
      AnyOf: { anyOf: [{ type: "string" }, { type: "boolean" }] },
      "a/b": { type: "boolean" },
    },
  },
};
const ref = (name: string) => ({ $ref: `#/components/schemas/${name.replace("/", "~1")}` });

describe("validateOpenApiSchema", () => {
  it.each([
    { given: "Guest", when: { cpus: 2, cpu_kind: "shared" }, then: [] },
    { given: "Guest", when: {}, then: [{ path: "$", message: 'missing required property "cpus"' }] },
    {
      given: "Guest",
      when: { cpus: "2" },
      then: [{ path: "$.cpus", message: "expected integer, got string" }],
    },
    {
      given: "Guest",
      when: { cpus: 1.5 },
      then: [{ path: "$.cpus", message: "expected integer, got number" }],
    },
    {
      given: "Guest",
      when: { cpus: 1, cpu_kind: "gpu" },
      then: [{ path: "$.cpu_kind", message: '"gpu" is not one of ["shared","performance"]' }],
    },
    { given: "Guest", when: [], then: [{ path: "$", message: "expected object, got array" }] },
    { given: "Guest", when: null, then: [{ path: "$", message: "expected object, got null" }] },
    { given: "Guest", when: { cpus: 1, extra: "fine" }, then: [] },
    {
      given: "Strict",
      when: { a: "x", b: 1 },
      then: [{ path: "$.b", message: "property not allowed (additionalProperties: false)" }],
    },
    { given: "Env", when: { A: "1", B: "2" }, then: [] },
    { given: "Env", when: { A: 1 }, then: [{ path: "$.A", message: "expected string, got integer" }] },
    { given: "WithGuest", when: { guest: { cpus: 1 } }, then: [] },
    {
      given: "WithGuest",
      when: { guest: {} },
      then: [{ path: "$.guest", message: 'missing required property "cpus"' }],
    },
    {
      given: "List",
      when: [{ cpus: 1 }, { cpus: true }],
      then: [{ path: "$[1].cpus", message: "expected integer, got boolean" }],
    },
    { given: "MaybeName", when: null, then: [] },
    { given: "MaybeName", when: 3, then: [{ path: "$", message: "expected string, got integer" }] },
    { given: "OneOf", when: "x", then: [] },
    // 3 is both an integer and a number: two branches match, which oneOf forbids.
    {
      given: "OneOf",
      when: 3,
      then: [{ path: "$", message: "matches 2 of the oneOf schemas, not exactly 1" }],
    },
    { given: "AnyOf", when: false, then: [] },
    { given: "AnyOf", when: 1, then: [{ path: "$", message: "matches none of the anyOf schemas" }] },
    { given: "a/b", when: true, then: [] },
    { given: "a/b", when: "true", then: [{ path: "$", message: "expected boolean, got string" }] },
  ])("$given with $when → $then.length violation(s)", ({ given, when, then }) => {
    expect(validateOpenApiSchema(ref(given), when, ROOT)).toEqual(then);
  });

  it.each([
    { given: { type: "string", pattern: "^a" }, then: /unsupported keyword "pattern"/ },
    { given: { type: "date" }, then: /unknown type "date"/ },
    { given: { $ref: "#/components/schemas/Missing" }, then: /does not resolve/ },
    { given: { $ref: "https://example.com/schema.json" }, then: /only local \$refs/ },
  ])("throws on a schema outside the subset: $given", ({ given, then }) => {
    expect(() => validateOpenApiSchema(given, "a", ROOT)).toThrow(then);
  });

  it("ignores annotations and x- extensions", () => {
    const schema = { type: "string", description: "d", example: "e", "x-enum-varnames": ["A"] };
    expect(validateOpenApiSchema(schema, "ok", ROOT)).toEqual([]);
  });
});

describe("validateOpenApiSchema on Fly's Machines document", () => {
  const spec: unknown = JSON.parse(
    readFileSync(new URL("../../../fixtures/fly/machines-openapi.json", import.meta.url), "utf8"),
  );
  const create = { $ref: "#/components/schemas/CreateMachineRequest" };
  const valid = {
    region: "ord",
    config: {
      image: "registry.fly.io/tcoder:w1",
      guest: { cpu_kind: "performance", cpus: 2, memory_mb: 4096 },
      restart: { policy: "no" },
      auto_destroy: true,
      env: { JOB_ID: "j1" },
      metadata: { tcoder_tag: "t1" },
    },
  };

  it.each([
    { when: "a full create request", body: valid, then: [] },
    {
      when: "cpus as a string",
      body: { ...valid, config: { ...valid.config, guest: { ...valid.config.guest, cpus: "2" } } },
      then: [{ path: "$.config.guest.cpus", message: "expected integer, got string" }],
    },
    {
      when: "an unknown restart policy",
      body: { ...valid, config: { ...valid.config, restart: { policy: "sometimes" } } },
      then: [
        {
          path: "$.config.restart.policy",
          message: '"sometimes" is not one of ["no","always","on-failure","spot-price"]',
        },
      ],
    },
    {
      when: "a number in env",
      body: { ...valid, config: { ...valid.config, env: { PORT: 8080 } } },
      then: [{ path: "$.config.env.PORT", message: "expected string, got integer" }],
    },
    {
      when: "auto_destroy as a string",
      body: { ...valid, config: { ...valid.config, auto_destroy: "yes" } },
      then: [{ path: "$.config.auto_destroy", message: "expected boolean, got string" }],
    },
  ])("CreateMachineRequest: $when", ({ body, then }) => {
    expect(validateOpenApiSchema(create, body, spec)).toEqual(then);
  });

  it("meets no unsupported keyword anywhere in the document's schemas", () => {
    const nodes: unknown[] = [];
    const collect = (node: unknown): void => {
      if (typeof node !== "object" || node === null || Array.isArray(node)) return;
      nodes.push(node);
      const n = node as Record<string, unknown>;
      for (const child of Object.values((n.properties as Record<string, unknown>) ?? {})) collect(child);
      collect(n.items);
      collect(n.additionalProperties);
      for (const key of ["allOf", "oneOf", "anyOf"])
        for (const part of (n[key] as unknown[]) ?? []) collect(part);
    };
    for (const schema of Object.values((spec as { components: { schemas: object } }).components.schemas)) {
      collect(schema);
    }
    expect(nodes.length).toBeGreaterThan(500);
    // The keyword check runs at every node visited, whatever the value: a throw means a skipped constraint.
    for (const node of nodes) expect(() => validateOpenApiSchema(node, {}, spec)).not.toThrow();
  });
});
