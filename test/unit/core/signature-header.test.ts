// Given / when / then table for parsing signature headers and checking their freshness.
import { describe, expect, it } from "vitest";
import { checkSignatureFreshness, parseSignatureHeader } from "../../../core/signature-header.ts";

const HEX = "a".repeat(64);
const HEX2 = "b".repeat(64);

describe("parseSignatureHeader", () => {
  it.each([
    { given: `t=1700000000,v1=${HEX}`, then: { timestamp: 1700000000, signatures: [HEX] } },
    {
      given: `t=1700000000, v1=${HEX}, v1=${HEX2}`,
      then: { timestamp: 1700000000, signatures: [HEX, HEX2] },
    },
    { given: `v1=${HEX},t=5`, then: { timestamp: 5, signatures: [HEX] } },
    { given: `t=1700000000,v1=${HEX},v0=zzz`, then: { timestamp: 1700000000, signatures: [HEX] } },
  ])("$given", ({ given, then }) => {
    expect(parseSignatureHeader(given)._unsafeUnwrap()).toEqual(then);
  });

  it.each([
    { given: undefined, code: "missing-signature" },
    { given: "", code: "missing-signature" },
    { given: "t=1700000000", code: "malformed-signature" },
    { given: `v1=${HEX}`, code: "malformed-signature" },
    { given: `t=abc,v1=${HEX}`, code: "malformed-signature" },
    { given: "t=1700000000,v1=ABCDEF", code: "malformed-signature" },
    { given: `t=1700000000,v1=${HEX.toUpperCase()}`, code: "malformed-signature" },
    { given: `t=-5,v1=${HEX}`, code: "malformed-signature" },
  ])("rejects $given as $code", ({ given, code }) => {
    expect(parseSignatureHeader(given)._unsafeUnwrapErr().code).toBe(code);
  });
});

describe("checkSignatureFreshness", () => {
  const now = 1_700_000_000_000;
  it.each([
    { t: 1_700_000_000, ok: true },
    { t: 1_700_000_000 - 300, ok: true },
    { t: 1_700_000_000 + 300, ok: true },
    { t: 1_700_000_000 - 301, ok: false },
    { t: 1_700_000_000 + 301, ok: false },
    { t: 0, ok: false },
  ])("t=$t → fresh: $ok", ({ t, ok }) => {
    const result = checkSignatureFreshness({ timestamp: t, signatures: [HEX] }, now, 300);
    expect(result.isOk()).toBe(ok);
    if (!ok) expect(result._unsafeUnwrapErr().code).toBe("stale-signature");
  });
});
