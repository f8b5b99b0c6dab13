// The UTC calendar month of an instant, "YYYY-MM" with its bounds, by civil-calendar arithmetic (no Date).

const MS_PER_DAY = 86_400_000;
/** Days from 0000-03-01 to 1970-01-01 in the proleptic Gregorian calendar. */
const EPOCH_SHIFT_DAYS = 719_468;
const DAYS_PER_ERA = 146_097;

/** Instants from 0001-01-01 up to (not including) 10000-01-01: a four-digit year. */
const MIN_MS = -62_135_596_800_000;
const MAX_MS = 253_402_300_800_000;

export interface CalendarMonth {
  /** "YYYY-MM", e.g. "2026-11": the suffix of the month's spend counter key. */
  readonly key: string;
  /** First millisecond of the month (UTC), inclusive. */
  readonly startMs: number;
  /** First millisecond of the next month (UTC), exclusive. */
  readonly endMs: number;
}

/** The UTC month holding `epochMs`. Throws on a non-integer or an instant outside years 1..9999 (a bug). */
export const calendarMonth = (epochMs: number): CalendarMonth => {
  if (!Number.isSafeInteger(epochMs) || epochMs < MIN_MS || epochMs >= MAX_MS) {
    throw new RangeError(`epochMs must be an integer instant in years 1..9999, got ${epochMs}`);
  }
  const { year, month } = civilFromDays(Math.floor(epochMs / MS_PER_DAY));
  const next = month === 12 ? { year: year + 1, month: 1 } : { year, month: month + 1 };
  return {
    key: `${String(year).padStart(4, "0")}-${String(month).padStart(2, "0")}`,
    startMs: daysFromCivil(year, month, 1) * MS_PER_DAY,
    endMs: daysFromCivil(next.year, next.month, 1) * MS_PER_DAY,
  };
};

/** "YYYY-MM" of the UTC month holding `epochMs`. */
export const monthKey = (epochMs: number): string => calendarMonth(epochMs).key;

// Howard Hinnant's days_from_civil / civil_from_days: eras of 400 years, years starting on March 1st so the
// leap day is the last day of the year. Valid for every day count used here (years 1..10000).
const civilFromDays = (days: number): { year: number; month: number } => {
  const z = days + EPOCH_SHIFT_DAYS;
  const era = Math.floor(z / DAYS_PER_ERA);
  const dayOfEra = z - era * DAYS_PER_ERA;
  const yearOfEra = Math.floor(
    (dayOfEra -
      Math.floor(dayOfEra / 1460) +
      Math.floor(dayOfEra / 36_524) -
      Math.floor(dayOfEra / 146_096)) /
      365,
  );
  const dayOfYear = dayOfEra - (365 * yearOfEra + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100));
  const marchMonth = Math.floor((5 * dayOfYear + 2) / 153);
  const month = marchMonth < 10 ? marchMonth + 3 : marchMonth - 9;
  const year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0);
  return { year, month };
};

const daysFromCivil = (year: number, month: number, day: number): number => {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yearOfEra = y - era * 400;
  const dayOfYear = Math.floor((153 * (month > 2 ? month - 3 : month + 9) + 2) / 5) + day - 1;
  const dayOfEra = yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear;
  return era * DAYS_PER_ERA + dayOfEra - EPOCH_SHIFT_DAYS;
};
