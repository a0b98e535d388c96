import type { Plan } from "../../worker/auth/plans";

/** Formats an ISO 8601 duration (`PT1H2M3S`) as a clock (`1:02:03`); `PT6M` is `6:00`. */
export function formatDuration(iso: string | null | undefined): string | null {
  const m = iso ? /^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$/.exec(iso) : null;
  if (!m) return null;
  const hours = Number(m[1] ?? 0) * 24 + Number(m[2] ?? 0);
  const minutes = Number(m[3] ?? 0);
  const seconds = Number(m[4] ?? 0);
  const ss = String(seconds).padStart(2, "0");
  return hours > 0 ? `${hours}:${String(minutes).padStart(2, "0")}:${ss}` : `${minutes}:${ss}`;
}

const compact = new Intl.NumberFormat("en", { notation: "compact", maximumFractionDigits: 1 });

/** "1.2K", "3.4M": a count short enough for a stat card. */
export function formatCompact(count: number): string {
  return compact.format(count);
}

/** "1.2K views"; `null` when YouTube hides the count. */
export function formatViews(count: number | null | undefined): string | null {
  if (count == null || !Number.isFinite(count)) return null;
  return `${compact.format(count)} ${count === 1 ? "view" : "views"}`;
}

const dateFormat = new Intl.DateTimeFormat("en", { year: "numeric", month: "short", day: "numeric" });

/** "Mar 4, 2026", in the viewer's time zone. */
export function formatDate(iso: string): string {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? "" : dateFormat.format(d);
}

/** "4 hours", "1 hour", "15 minutes", "1 minute". */
export function formatInterval(minutes: number): string {
  if (minutes % 60 === 0) return minutes === 60 ? "1 hour" : `${minutes / 60} hours`;
  return minutes === 1 ? "1 minute" : `${minutes} minutes`;
}

/** A signed percentage of a lift: 0.183 → "+18 %", −0.04 → "−4 %"; "—" when not known. */
export function formatLift(lift: number | null | undefined, digits = 0): string {
  if (lift == null || !Number.isFinite(lift)) return "—";
  const pct = (lift * 100).toFixed(digits);
  if (Number(pct) === 0) return "0 %";
  return `${lift > 0 ? "+" : "−"}${pct.replace("-", "")} %`;
}

/** A lift with its 95 % interval: "+18 % (−3 % to +40 %)". */
export function formatLiftInterval(lift: number | null, low: number | null, high: number | null): string {
  return `${formatLift(lift)} (${formatLift(low)} to ${formatLift(high)})`;
}

/** A probability as a whole percentage: 0.974 → "97 %". */
export function formatProbability(p: number | null | undefined): string {
  return p == null || !Number.isFinite(p) ? "—" : `${Math.round(p * 100)} %`;
}

/** Time left as a clock: "2:05:09", "4:32", "0:07"; "now" once it has passed. */
export function formatCountdown(ms: number): string {
  if (ms <= 0) return "now";
  const total = Math.ceil(ms / 1000);
  const days = Math.floor(total / 86_400);
  const h = Math.floor((total % 86_400) / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = String(total % 60).padStart(2, "0");
  if (days > 0) return `${days} d ${h} h`;
  return h > 0 ? `${h}:${String(m).padStart(2, "0")}:${s}` : `${m}:${s}`;
}

const dateTimeFormat = new Intl.DateTimeFormat("en", {
  month: "short",
  day: "numeric",
  hour: "numeric",
  minute: "2-digit",
});

/** "Mar 4, 3:05 PM", in the viewer's time zone. */
export function formatDateTime(iso: string): string {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? "" : dateTimeFormat.format(d);
}

const timeFormat = new Intl.DateTimeFormat("en", { hour: "numeric", minute: "2-digit" });

/** "3:05 PM", in the viewer's time zone; "" for a bad date. */
export function formatTime(iso: string): string {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? "" : timeFormat.format(d);
}

const numberFormat = new Intl.NumberFormat("en", { maximumFractionDigits: 1 });

/** A plain number with at most one decimal: 1234.56 → "1,234.6". */
export function formatNumber(value: number | null | undefined): string {
  return value == null || !Number.isFinite(value) ? "—" : numberFormat.format(value);
}

/**
 * A rate (views per hour) as a creator reads it: thousands and up compact with one decimal
 * (331,611.6 → "331.6K", 74,564.7 → "74.6K"), hundreds whole ("412"), small rates with one decimal
 * ("4.5"); "—" when not known.
 */
export function formatRate(value: number | null | undefined): string {
  if (value == null || !Number.isFinite(value)) return "—";
  const size = Math.abs(value);
  if (size >= 999.95) return compact.format(value);
  return size >= 100 ? String(Math.round(value)) : numberFormat.format(value);
}

/** A variant's name as the app shows it: 0 → "A" (the current title, the control), 1 → "B", … */
export function variantName(variant: number): string {
  return String.fromCharCode(65 + variant);
}

/** Characters as YouTube counts them for its 100-character limit: code points, not UTF-16 units. */
export function codePoints(text: string): number {
  return [...text].length;
}

/** Time live: "45 min" under an hour, else hours with one decimal ("3.5 h"). */
export function formatHours(hours: number | null | undefined): string {
  if (hours == null || !Number.isFinite(hours)) return "—";
  return hours < 1 ? `${Math.round(hours * 60)} min` : `${numberFormat.format(hours)} h`;
}

/** "1 view", "36 views": a count with its noun, singular for one. */
export function countOf(count: number, singular: string, plural = `${singular}s`): string {
  return `${numberFormat.format(count)} ${count === 1 ? singular : plural}`;
}

/** Each plan's name as the app shows it. */
export const planNames: Record<Plan, string> = {
  free: "Free",
  pro: "Pro",
  authority: "Authority",
};
