// Reads a request's query string once at the edge with the route's valibot schema; a mismatch is a 400 value.
import { err, ok, type Result } from "neverthrow";
import * as v from "valibot";
import type { ApiError } from "./api-error.ts";
import { describeIssues } from "./parse-json-body.ts";

export const parseQuery = <S extends v.GenericSchema>(
  schema: S,
  query: Readonly<Record<string, string>>,
): Result<v.InferOutput<S>, ApiError> => {
  const parsed = v.safeParse(schema, query);
  return parsed.success
    ? ok(parsed.output)
    : err({ kind: "invalid-request", message: describeIssues(parsed.issues) });
};
