// Given / when / then table: which answers from Upstash's REST API are Redis's replies and which are failures.
import { describe, expect, it } from "vitest";
import { classifyUpstashAnswer } from "../../../core/classify-upstash-answer.ts";

describe("classifyUpstashAnswer", () => {
  it.each([
    { given: { status: 200, body: "upstash-json" }, then: "reply" },
    { given: { status: 400, body: "upstash-json" }, then: "reply" },
    { given: { status: 429, body: "upstash-json" }, then: "unavailable" },
    { given: { status: 500, body: "upstash-json" }, then: "unavailable" },
    { given: { status: 503, body: "other" }, then: "unavailable" },
    { given: { status: 502, body: "other" }, then: "unavailable" },
    { given: { status: 408, body: "other" }, then: "unavailable" },
    { given: { status: 200, body: "other" }, then: "unavailable" },
    { given: { status: 401, body: "upstash-json" }, then: "refused" },
    { given: { status: 403, body: "other" }, then: "refused" },
    { given: { status: 400, body: "other" }, then: "refused" },
    { given: { status: 404, body: "upstash-json" }, then: "refused" },
  ] as const)("HTTP $given.status with a body that is $given.body → $then", ({ given, then }) => {
    expect(classifyUpstashAnswer(given)).toEqual({ kind: then });
  });
});
