import type { Plan } from "../auth/plans";
import { Invalid } from "../domain/errors";
import { START_SKEW_MS } from "./input";
import { allowedIntervals, type IntervalSettings } from "./intervals";
import { DEFAULT_TEST_MS, MAX_TEST_MS, minimumRunMs } from "./title-rules";

/** When a test runs, in ms since epoch. */
export interface TestWindow {
  start: number;
  end: number;
}

/** Checks an end time against the test's start: not before two blocks, not past 30 days. */
export function checkEnd(
  window: TestWindow,
  variants: number,
  intervalMinutes: number,
  path: "endAt" | "endsAt" = "endAt",
): void {
  const min = minimumRunMs(variants, intervalMinutes);
  if (window.end < window.start + min) {
    throw new Invalid(
      path,
      `The test must run at least ${Math.ceil(min / 3_600_000)} h (two rounds of every title) from its start`,
    );
  }
  if (window.end > window.start + MAX_TEST_MS)
    throw new Invalid(path, "A test runs at most 30 days from its start");
}

/** Checks an interval against the plan; the plan may have changed since a draft was saved. */
export function checkInterval(env: IntervalSettings, plan: Plan, minutes: number): void {
  const allowed = allowedIntervals(env, plan);
  if (!allowed.includes(minutes)) {
    throw new Invalid("intervalMinutes", `Choose one of ${allowed.join(", ")} minutes on your plan`);
  }
}

/**
 * The window of a new test from what was asked: a start a little in the past (clock skew) means
 * now, one further back or more than 30 days ahead is refused; no end means the default length.
 */
export function newTestWindow(startAt: Date | undefined, endAt: Date | undefined, now: number): TestWindow {
  if (startAt && startAt.getTime() < now - START_SKEW_MS)
    throw new Invalid("startAt", "The start lies in the past");
  if (startAt && startAt.getTime() > now + MAX_TEST_MS) {
    throw new Invalid("startAt", "A test may be scheduled at most 30 days ahead");
  }
  const start = Math.max(now, startAt?.getTime() ?? now);
  return { start, end: endAt?.getTime() ?? start + DEFAULT_TEST_MS };
}

/** The window a draft starts with: a scheduled start that passed while it was a draft means now. */
export function draftStartWindow(startsAt: Date | null, endsAt: Date | null, now: number): TestWindow {
  const start = Math.max(now, startsAt?.getTime() ?? now);
  return { start, end: endsAt?.getTime() ?? start + DEFAULT_TEST_MS };
}

/** A phase of the boundary inside the slot: one of 12 five-second steps, spreading the hourly herd. */
export function boundaryOffsetSeconds(intervalMinutes: number): number {
  const phases = Math.max(1, Math.min(12, Math.floor((intervalMinutes * 60) / 5)));
  const [random = 0] = crypto.getRandomValues(new Uint32Array(1));
  return 5 * (random % phases);
}
