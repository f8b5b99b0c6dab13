// Validates the JSON bodies of `POST /` (one command) and `POST /pipeline|/multi-exec` (a list of commands).
import { err, ok, type Result } from "neverthrow";
import * as v from "valibot";

/** A command ready for Redis: its name and bulk-string arguments (Buffers only come from raw path bodies). */
export interface RedisCommand {
  readonly name: string;
  readonly args: readonly (string | Buffer)[];
}

// @upstash/redis sends strings, numbers and booleans as they are and JSON.stringifies everything else.
const ArgSchema = v.union(
  [v.string(), v.number(), v.boolean()],
  "arguments must be strings, numbers or booleans",
);
const CommandSchema = v.tupleWithRest(
  [v.pipe(v.string("the command name must be a string"), v.nonEmpty("the command name is empty"))],
  ArgSchema,
  'a command must be a JSON array ["CMD", ...args]',
);
const CommandListSchema = v.pipe(
  v.array(CommandSchema, 'expected a JSON array of commands [["CMD", ...args], ...]'),
  v.nonEmpty("the command list is empty"),
);

export function parseCommandBody(body: string): Result<RedisCommand, string> {
  return parseJson(body)
    .andThen((json) => validate(CommandSchema, json))
    .map(toRedisCommand);
}

export function parseCommandListBody(body: string): Result<RedisCommand[], string> {
  return parseJson(body)
    .andThen((json) => validate(CommandListSchema, json))
    .map((commands) => commands.map(toRedisCommand));
}

// A JSON number reaches Redis as its shortest JavaScript spelling, which is what the client serialised.
function toRedisCommand([name, ...args]: v.InferOutput<typeof CommandSchema>): RedisCommand {
  return { name, args: args.map((arg) => String(arg)) };
}

function parseJson(body: string): Result<unknown, string> {
  try {
    return ok(JSON.parse(body) as unknown);
  } catch (error) {
    return err(`ERR malformed JSON body: ${(error as Error).message}`);
  }
}

function validate<S extends v.GenericSchema>(schema: S, json: unknown): Result<v.InferOutput<S>, string> {
  const parsed = v.safeParse(schema, json);
  if (parsed.success) return ok(parsed.output);
  const issue = parsed.issues[0];
  const where = issue.path?.map((item) => String(item.key)).join(".");
  return err(`ERR invalid request body: ${issue.message}${where ? ` (at ${where})` : ""}`);
}
