/**
 * YouTube resets every project's quota at midnight America/Los_Angeles. This module turns an
 * instant into that Pacific day and finds the day's end, DST included: the spring-forward day
 * (e.g. 2026-03-08) lasts 23 hours and the fall-back day (2026-11-01) 25. Pure: Intl only.
 */

const TIME_ZONE = "America/Los_Angeles";
const HOUR_MS = 3_600_000;

// Formatting is the hot path of every ledger call: one formatter per isolate.
const wallClock = new Intl.DateTimeFormat("en-US", {
  timeZone: TIME_ZONE,
  hourCycle: "h23",
  year: "numeric",
  month: "2-digit",
  day: "2-digit",
  hour: "2-digit",
  minute: "2-digit",
  second: "2-digit",
});

interface WallTime {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

function wallTime(ms: number): WallTime {
  const parts: Record<string, number> = {};
  for (const part of wallClock.formatToParts(ms)) {
    if (part.type !== "literal") parts[part.type] = Number(part.value);
  }
  const get = (name: string): number => {
    const value = parts[name];
    if (value === undefined || Number.isNaN(value)) throw new Error(`Intl gave no ${name} for ${ms}`);
    return value;
  };
  return {
    year: get("year"),
    month: get("month"),
    day: get("day"),
    hour: get("hour"),
    minute: get("minute"),
    second: get("second"),
  };
}

/** Pacific offset from UTC at `ms`, in ms (−7 h in summer, −8 h in winter). */
function pacificOffsetMs(ms: number): number {
  const t = wallTime(ms);
  const asUtc = Date.UTC(t.year, t.month - 1, t.day, t.hour, t.minute, t.second);
  return asUtc - (ms - (((ms % 1000) + 1000) % 1000));
}

/** The instant of midnight Pacific time starting the calendar date (year, month 1-based, day). */
function pacificMidnight(year: number, month: number, day: number): number {
  const midnightAsUtc = Date.UTC(year, month - 1, day);
  // Midnight is never inside a DST gap or overlap in Los Angeles (they happen at 02:00), so the
  // offset an hour after a first guess is the offset at midnight; a second pass confirms it.
  let guess = midnightAsUtc + 8 * HOUR_MS;
  for (let pass = 0; pass < 2; pass++) guess = midnightAsUtc - pacificOffsetMs(guess);
  return guess;
}

function pad(n: number): string {
  return String(n).padStart(2, "0");
}

/** The Pacific calendar day of an instant, as `YYYY-MM-DD` (sorts like the days it names). */
export function pacificDayKey(ms: number): string {
  const t = wallTime(ms);
  return `${t.year}-${pad(t.month)}-${pad(t.day)}`;
}

/** The Pacific day of an instant and its bounds: `[startsAt, endsAt)` in ms since epoch. */
export interface PacificDay {
  key: string;
  startsAt: number;
  /** The next reset: midnight Pacific after `ms`. */
  endsAt: number;
}

/** The Pacific day containing `ms`, with the instants it starts and ends (the next quota reset). */
export function pacificDay(ms: number): PacificDay {
  const t = wallTime(ms);
  return {
    key: `${t.year}-${pad(t.month)}-${pad(t.day)}`,
    startsAt: pacificMidnight(t.year, t.month, t.day),
    // Date.UTC normalises day + 1 across month and year ends.
    endsAt: pacificMidnight(t.year, t.month, t.day + 1),
  };
}

/** The next quota reset after `ms`: the coming midnight in America/Los_Angeles. */
export function nextPacificReset(ms: number): number {
  return pacificDay(ms).endsAt;
}

/**
 * Remembers the current Pacific day so that calls within it skip Intl entirely; the ledger asks
 * for the day on every call.
 */
export class PacificClock {
  private current: PacificDay | undefined;

  /** The Pacific day containing `ms`. */
  day(ms: number): PacificDay {
    const cached = this.current;
    if (cached && ms >= cached.startsAt && ms < cached.endsAt) return cached;
    const fresh = pacificDay(ms);
    this.current = fresh;
    return fresh;
  }
}
