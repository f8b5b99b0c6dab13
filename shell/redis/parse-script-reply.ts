// A Lua script's reply checked against its valibot schema; any other shape is an `unexpected-reply` value (a script
// and its wrapper from different deployments, or a bug), quoting the start of what came back.
import { errAsync, okAsync, type ResultAsync } from "neverthrow";
import * as v from "valibot";

export type UnexpectedReply = { readonly kind: "unexpected-reply"; readonly message: string };

export const unexpectedReply = (script: string, reply: unknown): UnexpectedReply => ({
  kind: "unexpected-reply",
  message: `${script}: ${JSON.stringify(reply)?.slice(0, 200)}`,
});

export const parseScriptReply = <S extends v.GenericSchema>(
  script: string,
  schema: S,
  reply: unknown,
): ResultAsync<v.InferOutput<S>, UnexpectedReply> => {
  const parsed = v.safeParse(schema, reply);
  return parsed.success ? okAsync(parsed.output) : errAsync(unexpectedReply(script, reply));
};
