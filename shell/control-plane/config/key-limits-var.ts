// KEY_LIMITS: per API key overrides of the per-key limits, `<keyId>:budget=<USD>:pending=<jobs>,...`, read once at
// start. A key id is the 16-hex id GET /api/stats shows (the first 16 hex digits of the key's SHA-256); `none`
// lifts a limit for that key; a setting left out keeps the default (KEY_MONTHLY_BUDGET_USD, KEY_MAX_PENDING_JOBS).
import * as v from "valibot";
import type { KeyLimits } from "../../../core/decide-job-acceptance.ts";

const KEY_ID = /^[0-9a-f]{16}$/;
const SETTING = /^(budget|pending)=(none|\d+(?:\.\d+)?)$/;

type Overrides = Record<string, Partial<KeyLimits>>;

/** One entry's limits, or what is wrong with it. */
const parseEntry = (
  entry: string,
): { readonly keyId: string; readonly limits: Partial<KeyLimits> } | string => {
  const [keyId = "", ...settings] = entry.split(":").map((part) => part.trim());
  // Not echoed: a client key pasted by mistake must not end up in a log.
  if (!KEY_ID.test(keyId)) return "an entry does not start with a key id (16 lowercase hex digits)";
  if (settings.length === 0) return `${keyId} names no limit (budget=<USD> or pending=<jobs>)`;
  const limits: { monthlyBudgetUsd?: number | null; maxPendingJobs?: number | null } = {};
  for (const setting of settings) {
    const match = SETTING.exec(setting);
    if (!match) return `${keyId}: "${setting}" is not budget=<USD|none> or pending=<jobs|none>`;
    const [, name, raw] = match;
    const value = raw === "none" ? null : Number(raw);
    if (name === "budget") limits.monthlyBudgetUsd = value;
    else if (value !== null && (!Number.isInteger(value) || value < 1))
      return `${keyId}: pending must be a whole number of at least 1, or none`;
    else limits.maxPendingJobs = value;
  }
  return { keyId, limits };
};

export const keyLimitsVar = () =>
  v.pipe(
    v.optional(v.string(), ""),
    v.rawTransform(({ dataset, addIssue, NEVER }) => {
      const overrides: Overrides = {};
      const entries = dataset.value
        .split(",")
        .map((entry) => entry.trim())
        .filter((entry) => entry !== "");
      for (const entry of entries) {
        const parsed = parseEntry(entry);
        if (typeof parsed === "string") {
          addIssue({ message: parsed });
          return NEVER;
        }
        if (Object.hasOwn(overrides, parsed.keyId)) {
          addIssue({ message: `${parsed.keyId} is listed twice` });
          return NEVER;
        }
        overrides[parsed.keyId] = parsed.limits;
      }
      return overrides as Readonly<Overrides>;
    }),
  );
