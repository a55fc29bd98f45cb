/**
 * Dates and times given in query parameters and cursors, checked before they reach SQL: `2026-02-30` or the year
 * 0000 parse in JavaScript (Feb 30 rolls over to March 2) but PostgreSQL refuses them, and that refusal would be a
 * 500 for what is bad input.
 */

/** Years both JavaScript and PostgreSQL timestamps take without surprises. */
const MIN_YEAR = 1;
const MAX_YEAR = 9999;

const INSTANT = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?(Z|[+-](\d{2}):(\d{2})))?$/;

/** True for `YYYY-MM-DD` naming a real day, or that day with `Thh:mm[:ss[.fff]]` and `Z` or `±hh:mm`. */
export function isValidInstant(text: string): boolean {
  const m = INSTANT.exec(text);
  if (!m) return false;
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (year < MIN_YEAR || year > MAX_YEAR || month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month))
    return false;
  if (m[4] === undefined) return true;
  const [hour, minute, second] = [Number(m[4]), Number(m[5]), Number(m[6] ?? 0)];
  if (hour > 23 || minute > 59 || second > 59) return false;
  return m[8] === undefined || (Number(m[8]) <= 23 && Number(m[9]) <= 59);
}

/** True for a `YYYY-MM-DD` naming a real day (no time). */
export function isCalendarDate(text: string): boolean {
  return text.length === 10 && isValidInstant(text);
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}
