// One HTTP request to the fake: auth → find the spec operation → check the request → fault or run → checked reply.
import type { IncomingMessage, ServerResponse } from "node:http";
import { checkFlyAuthorization } from "./check-fly-authorization.ts";
import {
  checkSpecRequest,
  checkSpecResponse,
  findSpecOperation,
  type RequestBodyRead,
  type SpecOperationMatch,
} from "./check-spec-exchange.ts";
import type { FakeFlyFault, FaultQueue } from "./fake-fly-faults.ts";
import type { OpenApiDocument } from "./openapi-document.ts";
import {
  checkFlyRules,
  FAKE_FLY_OPERATIONS,
  type FakeOperationHost,
  type FakeOperationInput,
  type FakeReply,
  runFakeFlyOperation,
} from "./run-fake-fly-operation.ts";
import type { SchemaViolation } from "./validate-openapi-schema.ts";

export interface FakeFlyRequestRecord {
  readonly operationId: string | null;
  readonly method: string;
  /** Path and query, e.g. `/v1/apps/tcoder/machines?metadata.tcoder_tag=abc`. */
  readonly url: string;
  readonly body: unknown;
  readonly status: number | "hung";
}

/** A request that broke the published spec (`spec`) or a rule the real API enforces beyond it (`fly-rule`). */
export interface FakeFlyViolation {
  readonly operationId: string | null;
  readonly method: string;
  readonly url: string;
  readonly source: "spec" | "fly-rule";
  readonly violations: readonly SchemaViolation[];
}

/** A response the fake was about to send in breach of the spec: a bug in the fake. */
export interface FakeFlyBug {
  readonly operationId: string;
  readonly status: number;
  readonly violations: readonly SchemaViolation[];
}

export interface FakeFlyHandlerContext extends FakeOperationHost {
  readonly doc: OpenApiDocument;
  readonly appName: string;
  readonly token: string;
  readonly faults: FaultQueue;
  readonly requests: FakeFlyRequestRecord[];
  readonly violations: FakeFlyViolation[];
  readonly bugs: FakeFlyBug[];
  /** Responses held open by a `hang` fault, ended on close. */
  readonly hung: Set<ServerResponse>;
  /** Effects waiting for the next list reply (`applied-after-next-list`). */
  readonly afterNextList: (() => void)[];
}

const MAX_BODY_BYTES = 1024 * 1024;
const ERROR_RESPONSE = { $ref: "#/components/schemas/ErrorResponse" };
const CAPACITY_BODY = {
  error: "could not reserve resource for machine: insufficient memory available to fulfill request",
  status: "insufficient_capacity",
};

export const createFakeFlyHandler =
  (ctx: FakeFlyHandlerContext) =>
  async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const method = req.method ?? "GET";
    const url = new URL(req.url ?? "/", "http://fake.invalid");
    const target = `${url.pathname}${url.search}`;
    const text = await readBody(req);
    if (text === null) {
      ctx.requests.push({ operationId: null, method, url: target, body: undefined, status: 413 });
      return send(res, 413, { error: "request body too large" });
    }
    const body = parseBody(text);
    const bodyValue = body.kind === "json" ? body.value : text === "" ? undefined : text;
    const finish = (operationId: string | null, status: number | "hung") =>
      ctx.requests.push({ operationId, method, url: target, body: bodyValue, status });
    const violation = (
      operationId: string | null,
      source: FakeFlyViolation["source"],
      list: SchemaViolation[],
    ) => ctx.violations.push({ operationId, method, url: target, source, violations: list });

    if (!checkFlyAuthorization(req.headers.authorization, ctx.token)) {
      finish(null, 401);
      return send(res, 401, { error: "unauthorized: token validation error" });
    }
    const match = findSpecOperation(ctx.doc, method, url.pathname);
    if (match === null) {
      violation(null, "spec", [{ path: "$", message: `no operation for ${method} ${url.pathname}` }]);
      finish(null, 404);
      return send(res, 404, { error: "not found" });
    }
    const reply = (status: number, payload: unknown, headers?: Readonly<Record<string, string>>) => {
      finish(match.operationId, status);
      sendChecked(ctx, res, match, { status, body: payload, headers });
    };

    const specViolations = checkSpecRequest(ctx.doc, match, url.searchParams, body);
    if (specViolations.length > 0) {
      violation(match.operationId, "spec", specViolations);
      return reply(400, { error: `invalid request: ${describeViolations(specViolations)}` });
    }
    if (match.pathParams.app_name !== undefined && match.pathParams.app_name !== ctx.appName) {
      return reply(404, { error: `app ${match.pathParams.app_name} not found` });
    }
    const operation = FAKE_FLY_OPERATIONS[match.operationId];
    if (operation === undefined)
      return reply(501, { error: `${match.operationId} is not implemented by the fake` });
    const input: FakeOperationInput = {
      operation,
      pathParams: match.pathParams,
      query: url.searchParams,
      body: bodyValue,
    };
    const ruleViolations = checkFlyRules(input);
    if (ruleViolations.length > 0) {
      violation(match.operationId, "fly-rule", ruleViolations);
      return reply(400, { error: `invalid request: ${describeViolations(ruleViolations)}` });
    }

    const fault = ctx.faults.next(operation);
    if (fault === null) {
      const result = await runFakeFlyOperation(ctx, input);
      reply(result.status, result.body, result.headers);
      if (operation === "list") for (const effect of ctx.afterNextList.splice(0)) effect();
      return;
    }
    await applyFaultEffect(ctx, fault, input);
    switch (fault.kind) {
      case "rate-limited": {
        const headers =
          fault.retryAfterSeconds === null ? undefined : { "retry-after": String(fault.retryAfterSeconds) };
        return reply(429, { error: "rate limit exceeded" }, headers);
      }
      case "capacity":
        return reply(412, CAPACITY_BODY);
      case "server-error":
        return reply(fault.status, { error: "internal error (injected by the fake)" });
      case "hang":
        finish(match.operationId, "hung");
        ctx.hung.add(res);
        res.on("close", () => ctx.hung.delete(res));
        return;
      default: {
        const unreachable: never = fault;
        throw new Error(`fake Fly: unknown fault ${JSON.stringify(unreachable)}`);
      }
    }
  };

const applyFaultEffect = async (
  ctx: FakeFlyHandlerContext,
  fault: FakeFlyFault,
  input: FakeOperationInput,
) => {
  if (fault.kind !== "server-error" && fault.kind !== "hang") return;
  // Only create and destroy change anything; a read has no effect to apply.
  if (input.operation !== "create" && input.operation !== "destroy") return;
  if (fault.effect === "applied") await runFakeFlyOperation(ctx, input);
  if (fault.effect === "applied-after-next-list") {
    ctx.afterNextList.push(() => void runFakeFlyOperation(ctx, input));
  }
};

/** Sends the reply if it matches the spec; otherwise records a bug and answers 500 instead. */
const sendChecked = (
  ctx: FakeFlyHandlerContext,
  res: ServerResponse,
  match: SpecOperationMatch,
  reply: FakeReply,
) => {
  const violations = checkSpecResponse(ctx.doc, match, reply.status, reply.body, ERROR_RESPONSE);
  if (violations.length === 0) return send(res, reply.status, reply.body, reply.headers);
  ctx.bugs.push({ operationId: match.operationId, status: reply.status, violations });
  send(res, 500, { error: `fake Fly API bug: response breaks the spec: ${describeViolations(violations)}` });
};

const send = (
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Readonly<Record<string, string>> = {},
) => {
  if (res.destroyed) return;
  res.writeHead(status, { "content-type": "application/json", ...headers });
  res.end(JSON.stringify(body));
};

const describeViolations = (list: readonly SchemaViolation[]): string =>
  list.map((item) => `${item.path}: ${item.message}`).join("; ");

const parseBody = (text: string): RequestBodyRead => {
  if (text === "") return { kind: "none" };
  try {
    return { kind: "json", value: JSON.parse(text) };
  } catch (error) {
    return { kind: "unparseable", reason: error instanceof Error ? error.message : String(error) };
  }
};

/** The body as text, or null past 1 MiB (the rest is still drained so the client reads the 413). */
const readBody = async (req: IncomingMessage): Promise<string | null> => {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size <= MAX_BODY_BYTES) chunks.push(chunk as Buffer);
  }
  return size > MAX_BODY_BYTES ? null : Buffer.concat(chunks).toString("utf8");
};
