// Decides whether a command may run over REST: blocking, transaction, pub/sub and connection-state commands may not.
import type { RedisCommand } from "./parse-command-body.ts";

export type CommandAdmission =
  | { readonly kind: "run" }
  | { readonly kind: "refuse"; readonly reason: string };

// Commands always blocking, plus WAIT/WAITAOF which block until replicas answer or the timeout passes.
const BLOCKING = new Set([
  "BLPOP",
  "BRPOP",
  "BRPOPLPUSH",
  "BLMOVE",
  "BLMPOP",
  "BZPOPMIN",
  "BZPOPMAX",
  "BZMPOP",
  "WAIT",
  "WAITAOF",
]);
// Blocking only when a BLOCK option comes before STREAMS.
const BLOCK_OPTION = new Set(["XREAD", "XREADGROUP"]);
// Transactions are the `/multi-exec` endpoint; WATCH would need a connection held across requests.
const TRANSACTION = new Set(["MULTI", "EXEC", "DISCARD", "WATCH", "UNWATCH"]);
const PUBSUB = new Set([
  "SUBSCRIBE",
  "PSUBSCRIBE",
  "SSUBSCRIBE",
  "UNSUBSCRIBE",
  "PUNSUBSCRIBE",
  "SUNSUBSCRIBE",
]);
// These would change the state of a connection that other requests share.
const CONNECTION_STATE = new Set(["SELECT", "QUIT", "RESET", "HELLO", "AUTH", "MONITOR", "SYNC", "PSYNC"]);
const CONNECTION_STATE_CLIENT = new Set(["REPLY", "TRACKING", "NO-EVICT", "NO-TOUCH"]);

const RUN: CommandAdmission = { kind: "run" };

export function decideCommandAdmission(command: RedisCommand): CommandAdmission {
  const name = command.name.toUpperCase();
  if (BLOCKING.has(name) || (BLOCK_OPTION.has(name) && hasBlockOption(command.args))) {
    return refuse(
      `ERR blocking command '${name}' is not supported over REST; poll a non-blocking command instead`,
    );
  }
  if (TRANSACTION.has(name)) {
    return refuse(
      `ERR '${name}' is not supported over REST; send the commands to /multi-exec or use a script`,
    );
  }
  if (PUBSUB.has(name)) return refuse(`ERR '${name}' is not supported by this REST bridge`);
  if (CONNECTION_STATE.has(name) || (name === "CLIENT" && isStatefulClientCommand(command.args))) {
    return refuse(
      `ERR '${name}' would change the state of a shared connection and is not supported over REST`,
    );
  }
  return RUN;
}

function refuse(reason: string): CommandAdmission {
  return { kind: "refuse", reason };
}

function hasBlockOption(args: RedisCommand["args"]): boolean {
  for (const arg of args) {
    const word = arg.toString().toUpperCase();
    if (word === "STREAMS") return false;
    if (word === "BLOCK") return true;
  }
  return false;
}

function isStatefulClientCommand(args: RedisCommand["args"]): boolean {
  const sub = args[0]?.toString().toUpperCase();
  return sub !== undefined && CONNECTION_STATE_CLIENT.has(sub);
}
