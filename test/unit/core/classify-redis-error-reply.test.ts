// Given / when / then table: which Redis error replies mean "cannot serve now" and which mean "the request is wrong".
import { describe, expect, it } from "vitest";
import { isUnavailableReply } from "../../../core/classify-redis-error-reply.ts";

describe("isUnavailableReply", () => {
  it.each([
    ["BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE.", true],
    ['BUSY Redis is busy running a script., command was: [["evalsha"]]', true],
    ["LOADING Redis is loading the dataset in memory", true],
    ["MASTERDOWN Link with MASTER is down and replica-serve-stale-data is set to 'no'.", true],
    ["TRYAGAIN Multiple keys request during rehashing of slot", true],
    ["CLUSTERDOWN The cluster is down", true],
    ["READONLY You can't write against a read only replica.", true],
    ["NOREPLICAS Not enough good replicas to write.", true],
    [
      "MISCONF Redis is configured to save RDB snapshots, but it's currently unable to persist to disk.",
      true,
    ],
    ["OOM command not allowed when used memory > 'maxmemory'.", true],
    ["Command failed: LOADING Redis is loading the dataset in memory", true],
    ["ERR user_script:3: Script attempted to access nonexistent global variable 'x'", false],
    ["WRONGTYPE Operation against a key holding the wrong kind of value", false],
    ["NOSCRIPT No matching script. Please use EVAL.", false],
    ["ERR value is not an integer or out of range", false],
    ["BUSYKEY Target key name already exists.", false],
    ["ERR the message mentions BUSY later", false],
  ])("%s → %s", (message, unavailable) => {
    expect(isUnavailableReply(message)).toBe(unavailable);
  });
});
