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

/** "4 hours", "1 hour", "15 minutes". */
export function formatInterval(minutes: number): string {
  if (minutes % 60 === 0) return minutes === 60 ? "1 hour" : `${minutes / 60} hours`;
  return `${minutes} minutes`;
}
