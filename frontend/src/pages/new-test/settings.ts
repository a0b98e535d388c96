import { metricWords } from "../../../../worker/title-tests/metric-words";
import { minimumRunMs } from "../../../../worker/title-tests/title-rules";
import type { Account } from "../../data/me";
import type { NewTest } from "../../data/tests";
import { formatDateTime, formatInterval } from "../../format";

const DAY_MS = 86_400_000;

/** What decides a test's winner. */
export type Metric = NonNullable<NewTest["metric"]>;

/** Each metric in words, as the settings offer it (the test page's own names). */
export const metricNames = Object.fromEntries(
  Object.entries(metricWords).map(([metric, words]) => [metric, words.name]),
) as Record<Metric, string>;

/** The wizard's third step: how the test rotates, what it measures, when it starts and ends. */
export interface Settings {
  intervalMinutes: number;
  metric: Metric;
  /** Start at `startAt` rather than now. */
  startLater: boolean;
  /** A `datetime-local` value, in the viewer's time zone. */
  startAt: string;
  days: number;
  /** Keep the winning title when the test ends (else the current title comes back). */
  autoApply: boolean;
}

/** The settings a new test starts from: hourly (or the plan's nearest) rotation, views, now, 14 days. */
export function initialSettings(user: Account): Settings {
  const allowed = user.limits.intervals;
  return {
    intervalMinutes: allowed.includes(60) ? 60 : (allowed.find((m) => m >= 60) ?? allowed[0] ?? 60),
    metric: "views",
    startLater: false,
    startAt: "",
    days: 14,
    autoApply: true,
  };
}

/** When the test starts, in epoch ms: the chosen time, else now. */
export function startTime(s: Settings): number {
  return s.startLater && s.startAt ? new Date(s.startAt).getTime() : Date.now();
}

/** When the test ends at the latest, in epoch ms. */
export function endTime(s: Settings): number {
  return startTime(s) + s.days * DAY_MS;
}

/** What keeps the settings from being sent, in words; `null` when they are fine. */
export function settingsProblem(s: Settings, allowed: readonly number[], titleCount: number): string | null {
  if (!allowed.includes(s.intervalMinutes)) return "Choose an interval your plan allows.";
  if (s.metric !== "views" && s.intervalMinutes !== 1440)
    return "CTR and watch time need the 24-hour interval.";
  if (s.startLater) {
    const at = new Date(s.startAt).getTime();
    if (!s.startAt || Number.isNaN(at)) return "Choose when the test starts.";
    if (at < Date.now() - 60_000) return "The start lies in the past.";
    if (at > Date.now() + 30 * DAY_MS) return "A test can be scheduled at most 30 days ahead.";
  }
  if (!Number.isInteger(s.days) || s.days < 1 || s.days > 30) return "A test runs 1 to 30 days.";
  const minimum = minimumRunMs(titleCount, s.intervalMinutes);
  if (s.days * DAY_MS < minimum) {
    return `With ${titleCount} titles every ${formatInterval(s.intervalMinutes)}, the test needs at least ${Math.ceil(minimum / DAY_MS)} days (two rounds of every title).`;
  }
  return null;
}

/** The settings as the confirm step lists them: label, then value. */
export function settingsSummary(s: Settings): [string, string][] {
  return [
    ["Rotate every", formatInterval(s.intervalMinutes)],
    ["Winner by", metricNames[s.metric].toLowerCase()],
    ["Starts", s.startLater ? formatDateTime(new Date(startTime(s)).toISOString()) : "now"],
    ["Ends at the latest", formatDateTime(new Date(endTime(s)).toISOString())],
    ["When it ends", s.autoApply ? "keep the winner" : "restore the current title"],
  ];
}

/** What `POST /api/tests` gets for a video, its challengers and these settings (a draft or not). */
export function newTestOf(
  videoId: string,
  challengers: readonly string[],
  s: Settings,
  draft: boolean,
): NewTest {
  return {
    videoId,
    titles: challengers.map((t) => t.trim()),
    intervalMinutes: s.intervalMinutes,
    metric: s.metric,
    ...(s.startLater ? { startAt: new Date(startTime(s)).toISOString() } : {}),
    endAt: new Date(endTime(s)).toISOString(),
    autoApply: s.autoApply,
    draft,
  };
}
