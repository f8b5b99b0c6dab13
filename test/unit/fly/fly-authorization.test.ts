// Given / when / then: the Authorization header for each token form, and the fake's check of it.
import { describe, expect, it } from "vitest";
import { flyAuthorization } from "../../../shell/fly/fly-authorization.ts";
import { checkFlyAuthorization } from "../../../shell/fly-fake/check-fly-authorization.ts";

describe("flyAuthorization", () => {
  it.each([
    ["abc123", "Bearer abc123"],
    ["  abc123\n", "Bearer abc123"],
    ["fm2_lJPECAAAA", "FlyV1 fm2_lJPECAAAA"],
    ["FlyV1 fm2_lJPECAAAA,fm2_second", "FlyV1 fm2_lJPECAAAA,fm2_second"],
    ["flyv1   fm2_x", "FlyV1 fm2_x"],
  ])("%j → %j", (token, header) => {
    expect(flyAuthorization(token)).toBe(header);
  });
});

describe("checkFlyAuthorization (the fake's side)", () => {
  it.each([
    { header: "Bearer abc", expected: "abc", then: true },
    { header: "bearer abc", expected: "abc", then: true },
    { header: "FlyV1 fm2_x", expected: "FlyV1 fm2_x", then: true },
    { header: "FlyV1 fm2_x", expected: "fm2_x", then: true },
    { header: flyAuthorization("FlyV1 fm2_x"), expected: "FlyV1 fm2_x", then: true },
    { header: "Bearer abd", expected: "abc", then: false },
    { header: "Bearer ab", expected: "abc", then: false },
    { header: "Basic abc", expected: "abc", then: false },
    { header: "abc", expected: "abc", then: false },
    { header: undefined, expected: "abc", then: false },
  ])("$header against $expected → $then", ({ header, expected, then }) => {
    expect(checkFlyAuthorization(header, expected)).toBe(then);
  });
});
