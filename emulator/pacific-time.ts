/**
 * Pacific time, where YouTube's days live: the quota resets at midnight America/Los_Angeles and
 * Analytics days are Pacific days. DST-aware through Intl; results are memoised per UTC hour
 * because the simulation asks for the same hours over and over. Independent of the app's
 * worker/quota/pacific-day.ts on purpose: the stand-in for Google must not share the app's bugs.
 */

export const HOUR_MS = 3_600_000;
export const DAY_MS = 24 * HOUR_MS;

const formatter = new Intl.DateTimeFormat("en-US", {
  timeZone: "America/Los_Angeles",
  year: "numeric",
  month: "2-digit",
  day: "2-digit",
  hour: "2-digit",
  hourCycle: "h23",
});

interface PacificParts {
  day: string;
  hour: number;
}

const memo = new Map<number, PacificParts>();

function partsOf(ms: number): PacificParts {
  // Offsets are whole hours in Los Angeles, so one lookup per UTC hour is exact.
  const key = Math.floor(ms / HOUR_MS);
  const hit = memo.get(key);
  if (hit) return hit;
  const parts: Record<string, string> = {};
  for (const p of formatter.formatToParts(new Date(key * HOUR_MS))) parts[p.type] = p.value;
  const value = { day: `${parts.year}-${parts.month}-${parts.day}`, hour: Number(parts.hour) % 24 };
  if (memo.size > 200_000) memo.clear();
  memo.set(key, value);
  return value;
}

/** The Pacific calendar day (YYYY-MM-DD) of an instant. */
export function pacificDay(ms: number): string {
  return partsOf(ms).day;
}

/** The Pacific hour of day (0–23) of an instant. */
export function pacificHour(ms: number): number {
  return partsOf(ms).hour;
}

/** The instant a Pacific day (YYYY-MM-DD) starts. */
export function pacificDayStart(day: string): number {
  const [y, m, d] = day.split("-").map(Number) as [number, number, number];
  // Midnight PST is 08:00 UTC; in PDT that instant reads 01:00, so step back by the hour shown.
  const guess = Date.UTC(y, m - 1, d, 8);
  return guess - pacificHour(guess) * HOUR_MS;
}

/** The calendar day `n` days after `day` (before it when `n` is negative). */
export function addDays(day: string, n: number): string {
  const [y, m, d] = day.split("-").map(Number) as [number, number, number];
  return new Date(Date.UTC(y, m - 1, d + n)).toISOString().slice(0, 10);
}

/** The Pacific day after `day`. */
export function nextDay(day: string): string {
  return addDays(day, 1);
}

/** The next Pacific midnight after an instant: when the quota resets. */
export function nextPacificMidnight(ms: number): number {
  return pacificDayStart(nextDay(pacificDay(ms)));
}
