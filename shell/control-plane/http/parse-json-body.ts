// Reads a request body once at the edge: JSON, then the route's valibot schema; either failure is a 400 value.
import { err, ok, type Result } from "neverthrow";
import * as v from "valibot";
import type { ApiError } from "./api-error.ts";

export const describeIssues = (issues: readonly v.BaseIssue<unknown>[]): string =>
  issues
    .slice(0, 3)
    .map((issue) => {
      const path = v.getDotPath(issue);
      return path ? `${path}: ${issue.message}` : issue.message;
    })
    .join("; ");

export const parseJsonBody = <S extends v.GenericSchema>(
  schema: S,
  text: string,
  { emptyAs }: { readonly emptyAs?: unknown } = {},
): Result<v.InferOutput<S>, ApiError> => {
  let json: unknown = emptyAs;
  if (text.trim() !== "" || emptyAs === undefined) {
    try {
      json = JSON.parse(text);
    } catch {
      return err({ kind: "invalid-json", message: "the request body is not valid JSON" });
    }
  }
  const parsed = v.safeParse(schema, json);
  return parsed.success
    ? ok(parsed.output)
    : err({ kind: "invalid-request", message: describeIssues(parsed.issues) });
};
