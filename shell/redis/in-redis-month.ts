// Runs a script that reads or charges the month's spend counter in the month Redis TIME says it is.
// The caller guesses the month from a clock it has (its own, or an earlier Redis reply); the script refuses with
// month-changed when Redis time falls outside it, and the call is made once more with Redis's month.
import { errAsync, type ResultAsync } from "neverthrow";
import { type CalendarMonth, calendarMonth } from "../../core/month-key.ts";
import type { RedisKeys } from "./key-schema.ts";

type MonthChanged = { readonly kind: "month-changed"; readonly now: number };

export const inRedisMonth = <T, E extends { readonly kind: string }>(
  guessMs: number,
  attempt: (month: CalendarMonth) => ResultAsync<T, E | MonthChanged>,
): ResultAsync<T, E | MonthChanged> =>
  attempt(calendarMonth(guessMs)).orElse((error) =>
    isMonthChanged(error) ? attempt(calendarMonth(error.now)) : errAsync(error),
  );

const isMonthChanged = (error: { readonly kind: string }): error is MonthChanged =>
  error.kind === "month-changed";

/** The spend counter key and the month bounds scripts check it against (ARGV start, end). */
export const monthArgs = (
  keys: RedisKeys,
  month: CalendarMonth,
): { readonly spendKey: string; readonly bounds: readonly [number, number] } => ({
  spendKey: keys.spend(month.key),
  bounds: [month.startMs, month.endMs],
});
