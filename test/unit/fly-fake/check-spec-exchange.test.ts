// Given / when / then tables for routing a request to its operation in Fly's document and checking both directions.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import {
  checkSpecRequest,
  checkSpecResponse,
  findSpecOperation,
  type RequestBodyRead,
} from "../../../shell/fly-fake/check-spec-exchange.ts";
import { parseOpenApiDocument } from "../../../shell/fly-fake/openapi-document.ts";

const doc = parseOpenApiDocument(
  JSON.parse(readFileSync(new URL("../../../fixtures/fly/machines-openapi.json", import.meta.url), "utf8")),
);
const ERROR_RESPONSE = { $ref: "#/components/schemas/ErrorResponse" };
const NONE: RequestBodyRead = { kind: "none" };

const operation = (method: string, path: string) => {
  const match = findSpecOperation(doc, method, path);
  if (match === null) throw new Error(`no operation for ${method} ${path}`);
  return match;
};

describe("findSpecOperation", () => {
  it.each([
    {
      when: ["POST", "/v1/apps/tc/machines"],
      then: { operationId: "Machines_create", pathParams: { app_name: "tc" } },
    },
    {
      when: ["get", "/v1/apps/tc/machines"],
      then: { operationId: "Machines_list", pathParams: { app_name: "tc" } },
    },
    {
      when: ["GET", "/v1/apps/tc/machines/f1a/wait"],
      then: { operationId: "Machines_wait", pathParams: { app_name: "tc", machine_id: "f1a" } },
    },
    {
      when: ["DELETE", "/v1/apps/tc/machines/f1a"],
      then: { operationId: "Machines_delete", pathParams: { app_name: "tc", machine_id: "f1a" } },
    },
    // A literal segment beats a template: `acme` is not a {hostname}.
    {
      when: ["POST", "/v1/apps/tc/certificates/acme"],
      then: { operationId: "App_Certificates_acme_create", pathParams: { app_name: "tc" } },
    },
  ])("$when.0 $when.1 → $then.operationId", ({ when, then }) => {
    const match = findSpecOperation(doc, when[0] ?? "", when[1] ?? "");
    expect(match && { operationId: match.operationId, pathParams: match.pathParams }).toEqual(then);
  });

  it.each([
    ["GET", "/apps/tc/machines"],
    ["GET", "/v2/apps/tc/machines"],
    ["PATCH", "/v1/apps/tc/machines"],
    ["GET", "/v1/apps/tc/machines/f1a/nonsense"],
    ["GET", "/v1/apps//machines"],
  ])("%s %s → no operation", (method, path) => {
    expect(findSpecOperation(doc, method, path)).toBeNull();
  });
});

describe("checkSpecRequest", () => {
  const wait = operation("GET", "/v1/apps/tc/machines/f1a/wait");
  const create = operation("POST", "/v1/apps/tc/machines");
  const show = operation("GET", "/v1/apps/tc/machines/f1a");

  it.each([
    { given: wait, query: "state=started&timeout=10", body: NONE, then: [] },
    {
      given: wait,
      query: "state=running",
      body: NONE,
      then: [
        {
          path: "query.state",
          message: '"running" is not one of ["started","stopped","suspended","destroyed","failed","settled"]',
        },
      ],
    },
    {
      given: wait,
      query: "timeout=soon",
      body: NONE,
      then: [{ path: "query.timeout", message: 'expected integer, got "soon"' }],
    },
    {
      given: wait,
      query: "timeout=1.5",
      body: NONE,
      then: [{ path: "query.timeout", message: 'expected integer, got "1.5"' }],
    },
    // Undeclared query parameters (Fly's metadata.* filter) pass.
    { given: wait, query: "metadata.tcoder_tag=a", body: NONE, then: [] },
    { given: create, query: "", body: { kind: "json", value: { config: { image: "i" } } }, then: [] },
    { given: create, query: "", body: NONE, then: [{ path: "$", message: "request body is required" }] },
    {
      given: create,
      query: "",
      body: { kind: "unparseable", reason: "Unexpected token" },
      then: [{ path: "$", message: "request body is not JSON: Unexpected token" }],
    },
    {
      given: create,
      query: "",
      body: { kind: "json", value: { region: 7 } },
      then: [{ path: "$.region", message: "expected string, got integer" }],
    },
    {
      given: show,
      query: "",
      body: { kind: "json", value: {} },
      then: [{ path: "$", message: "this operation takes no request body" }],
    },
  ] as const)("$given.operationId ?$query → $then.length violation(s)", ({ given, query, body, then }) => {
    expect(checkSpecRequest(doc, given, new URLSearchParams(query), body)).toEqual(then);
  });
});

describe("checkSpecResponse", () => {
  const show = operation("GET", "/v1/apps/tc/machines/f1a");
  const destroy = operation("DELETE", "/v1/apps/tc/machines/f1a");
  const list = operation("GET", "/v1/apps/tc/machines");

  it.each([
    {
      given: show,
      status: 200,
      body: { id: "f1a", state: "started", events: [{ type: "exit", timestamp: 1 }] },
      then: [],
    },
    {
      given: show,
      status: 200,
      body: { id: "f1a", state: 3 },
      then: [{ path: "$.state", message: "expected string, got integer" }],
    },
    {
      given: show,
      status: 200,
      body: { id: "f1a", events: [{ timestamp: "yesterday" }] },
      then: [{ path: "$.events[0].timestamp", message: "expected integer, got string" }],
    },
    { given: list, status: 200, body: [{ id: "a" }, { id: "b" }], then: [] },
    {
      given: list,
      status: 200,
      body: { id: "a" },
      then: [{ path: "$", message: "expected array, got object" }],
    },
    // Error statuses the document does not list are Fly's ErrorResponse.
    { given: show, status: 404, body: { error: "machine not found" }, then: [] },
    {
      given: show,
      status: 412,
      body: { error: "insufficient resources", status: "no_room" },
      then: [{ path: "$.status", message: '"no_room" is not one of ["unknown","insufficient_capacity"]' }],
    },
    {
      given: show,
      status: 500,
      body: { error: 5 },
      then: [{ path: "$.error", message: "expected string, got integer" }],
    },
    {
      given: show,
      status: 201,
      body: {},
      then: [{ path: "$", message: "status 201 is not documented for Machines_show" }],
    },
    // The document gives destroy's 200 no body schema.
    { given: destroy, status: 200, body: { ok: true }, then: [] },
  ])("$given.operationId $status → $then.length violation(s)", ({ given, status, body, then }) => {
    expect(checkSpecResponse(doc, given, status, body, ERROR_RESPONSE)).toEqual(then);
  });
});

describe("parseOpenApiDocument", () => {
  it("reads the base path from the first server", () => {
    expect(doc.basePath).toBe("/v1");
  });

  it.each([
    {
      given: { openapi: "2.0", paths: {}, components: { schemas: {} } },
      then: /not an OpenAPI 3.0 document/,
    },
    {
      given: { openapi: "3.0.1", paths: { "/a": { get: { responses: {} } } }, components: { schemas: {} } },
      then: /operationId/,
    },
  ])("rejects a malformed document", ({ given, then }) => {
    expect(() => parseOpenApiDocument(given)).toThrow(then);
  });
});
