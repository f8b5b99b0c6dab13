// Valibot schemas for environment variables: every value arrives as a string (or is absent) and is read once.
import * as v from "valibot";

const trimmed = v.pipe(v.string(), v.trim());

/** A required, non-empty string. */
export const requiredText = () => v.pipe(trimmed, v.nonEmpty("is required"));

/** An optional string; absent or blank reads as `fallback`. */
export const optionalText = (fallback: string) =>
  v.pipe(
    v.optional(trimmed, fallback),
    v.transform((value) => (value === "" ? fallback : value)),
  );

/** An optional string; absent or blank reads as null. */
export const nullableText = () =>
  v.pipe(
    v.optional(trimmed, ""),
    v.transform((value) => (value === "" ? null : value)),
  );

/** A whole number in min..max; absent reads as `fallback`. */
export const intVar = (fallback: number, min: number, max: number) =>
  v.pipe(
    v.optional(trimmed, String(fallback)),
    v.regex(/^-?\d+$/, "must be a whole number"),
    v.transform(Number),
    v.minValue(min, `must be at least ${min}`),
    v.maxValue(max, `must be at most ${max}`),
  );

/** A decimal number >= min; absent reads as `fallback`. */
export const decimalVar = (fallback: number, min: number) =>
  v.pipe(
    v.optional(trimmed, String(fallback)),
    v.regex(/^\d+(\.\d+)?$/, "must be a number"),
    v.transform(Number),
    v.minValue(min, `must be at least ${min}`),
  );

/** "true"/"1"/"yes" or "false"/"0"/"no"; absent reads as `fallback`. */
export const flagVar = (fallback: boolean) =>
  v.pipe(
    v.optional(trimmed, String(fallback)),
    v.toLowerCase(),
    v.picklist(["true", "false", "1", "0", "yes", "no"], "must be true or false"),
    v.transform((value) => value === "true" || value === "1" || value === "yes"),
  );

/** An http(s) URL without a trailing slash; absent or blank reads as null. */
export const nullableHttpUrl = () =>
  v.pipe(
    nullableText(),
    v.check(
      (value) => value === null || /^https?:\/\/[^\s/?#]+(\/[^\s?#]*)?$/.test(value),
      "must be an http(s) URL",
    ),
    v.transform((value) => (value === null ? null : value.replace(/\/+$/, ""))),
  );

/** A comma-separated list of non-empty items. */
export const listVar = () =>
  v.pipe(
    v.optional(v.string(), ""),
    v.transform((value) =>
      value
        .split(",")
        .map((item) => item.trim())
        .filter((item) => item !== ""),
    ),
  );

/** A whole number in min..max; absent or blank reads as null (no such limit). */
export const nullableIntVar = (min: number, max: number) =>
  v.pipe(
    nullableText(),
    v.check((value) => value === null || /^\d+$/.test(value), "must be a whole number"),
    v.transform((value) => (value === null ? null : Number(value))),
    v.check((value) => value === null || (value >= min && value <= max), `must be in ${min}..${max}`),
  );

/** A decimal number >= 0; absent or blank reads as null (no such limit). */
export const nullableDecimalVar = () =>
  v.pipe(
    nullableText(),
    v.check((value) => value === null || /^\d+(\.\d+)?$/.test(value), "must be a number"),
    v.transform((value) => (value === null ? null : Number(value))),
  );
