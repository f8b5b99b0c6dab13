// Redis's error replies that mean the server cannot serve right now (busy with a script, loading its data, in a
// failover, out of memory, unable to persist), as opposed to a command or script that is wrong: the first are
// worth a transport retry and read as "unreachable", the second are bugs.

/** Prefixes Redis gives availability errors (https://redis.io/docs/latest/develop/reference/protocol-spec). */
const UNAVAILABLE_PREFIXES = [
  "BUSY",
  "LOADING",
  "MASTERDOWN",
  "TRYAGAIN",
  "CLUSTERDOWN",
  "READONLY",
  "NOREPLICAS",
  "MISCONF",
  "OOM",
] as const;

// The clients quote the reply first, or after "Command failed: " (@upstash/redis's pipelines).
const UNAVAILABLE = new RegExp(`^(?:Command failed: )?(?:${UNAVAILABLE_PREFIXES.join("|")})\\b`);

/** Whether an error reply's message says Redis cannot serve now, rather than that the request is wrong. */
export const isUnavailableReply = (message: string): boolean => UNAVAILABLE.test(message);
