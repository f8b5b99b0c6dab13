// Given / when / then table for the UTC calendar month of an instant, checked against known dates and Date.UTC.
import { describe, expect, it } from "vitest";
import { calendarMonth, monthKey } from "../../../core/month-key.ts";

const utc = (y: number, m: number, d = 1, h = 0, min = 0, s = 0, ms = 0): number =>
  Date.UTC(y, m - 1, d, h, min, s, ms);

const cases: { name: string; given: number; then: { key: string; startMs: number; endMs: number } }[] = [
  { name: "the epoch", given: 0, then: { key: "1970-01", startMs: 0, endMs: utc(1970, 2) } },
  {
    name: "the last millisecond before the epoch",
    given: -1,
    then: { key: "1969-12", startMs: utc(1969, 12), endMs: 0 },
  },
  {
    name: "leap day, last millisecond",
    given: utc(2024, 2, 29, 23, 59, 59, 999),
    then: { key: "2024-02", startMs: utc(2024, 2), endMs: utc(2024, 3) },
  },
  {
    name: "the first millisecond of March in a leap year",
    given: utc(2024, 3),
    then: { key: "2024-03", startMs: utc(2024, 3), endMs: utc(2024, 4) },
  },
  {
    name: "February of a century that is not a leap year",
    given: utc(2100, 2, 28, 12),
    then: { key: "2100-02", startMs: utc(2100, 2), endMs: utc(2100, 3) },
  },
  {
    name: "February of a 400-year leap century",
    given: utc(2000, 2, 29, 6),
    then: { key: "2000-02", startMs: utc(2000, 2), endMs: utc(2000, 3) },
  },
  {
    name: "New Year's Eve rolls over to January of the next year",
    given: utc(2026, 12, 31, 23, 59, 59, 999),
    then: { key: "2026-12", startMs: utc(2026, 12), endMs: utc(2027, 1) },
  },
  {
    name: "a year below 1000 keeps four digits",
    given: utc(999, 7, 4),
    then: { key: "0999-07", startMs: utc(999, 7), endMs: utc(999, 8) },
  },
  {
    name: "the first month representable",
    given: Date.parse("0001-01-15T00:00:00Z"),
    then: {
      key: "0001-01",
      startMs: Date.parse("0001-01-01T00:00:00Z"),
      endMs: Date.parse("0001-02-01T00:00:00Z"),
    },
  },
  {
    name: "the last month representable",
    given: utc(9999, 12, 31, 23),
    then: { key: "9999-12", startMs: utc(9999, 12), endMs: utc(10000, 1) },
  },
];

describe("calendarMonth", () => {
  it.each(cases)("$name", ({ given, then }) => {
    expect(calendarMonth(given)).toEqual(then);
    expect(monthKey(given)).toBe(then.key);
  });

  it("agrees with Date for instants spread over five centuries", () => {
    // A fixed linear congruential sequence: the same instants on every run.
    let seed = 12345;
    const next = () => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    for (let i = 0; i < 2000; i++) {
      const at = Math.floor(utc(1800, 1) + next() * (utc(2300, 1) - utc(1800, 1)));
      const date = new Date(at);
      const y = date.getUTCFullYear();
      const m = date.getUTCMonth() + 1;
      expect(calendarMonth(at)).toEqual({
        key: `${y}-${String(m).padStart(2, "0")}`,
        startMs: utc(y, m),
        endMs: utc(y, m + 1),
      });
    }
  });

  it.each([
    ["a fraction", 1.5],
    ["NaN", Number.NaN],
    ["infinity", Number.POSITIVE_INFINITY],
    ["year 10000", utc(10000, 1)],
    ["the last millisecond of year 0", Date.parse("0001-01-01T00:00:00Z") - 1],
  ])("throws on %s", (_name, given) => {
    expect(() => calendarMonth(given)).toThrow(RangeError);
  });
});
