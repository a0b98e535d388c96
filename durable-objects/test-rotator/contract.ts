import { liveTestStatuses, type TestStatus } from "../../schema/test-statuses";

/**
 * The TestRotator's RPC contract, as routes and the SPA see it. Free of Workers runtime imports:
 * the SPA imports `controlFrom` from here.
 */

/**
 * From which statuses each control method may act: the routes check it first (a clear 409 without
 * waking the object), the rotator checks it again as the one writer. The SPA offers the same.
 */
export const controlFrom = {
  pause: ["scheduled", "running"],
  resume: ["paused", "paused_drift", "needs_reauth"],
  stop: liveTestStatuses,
  applyWinner: ["running", "paused", "paused_drift", "needs_reauth", "completed", "stopped"],
  amend: liveTestStatuses,
} as const satisfies Record<string, readonly TestStatus[]>;

/** What a rotator reports about its test. */
export interface RotatorView {
  testId: string;
  status: TestStatus;
  /** The variant live now (null before the first slot opens). */
  currentVariant: number | null;
  /** When the next step falls due (ms since epoch), or null when none is armed. */
  nextStepAt: number | null;
  /** Slots opened so far. */
  slotsOpened: number;
  /** The final title still to be set (stop, finish, apply-winner), or null. */
  pendingFinalVariant: number | null;
}

/** The answer of every control method: done, or refused with the reason a route turns into a 4xx. */
export type RotatorAnswer =
  | { ok: true; view: RotatorView }
  | { ok: false; code: "conflict" | "not_found"; message: string };

/**
 * The control methods of the TestRotator, as routes call them:
 * - `start(testId)`: the test's row must already be `scheduled` (the route sets it, so the database's
 *   one-live-test-per-video index refuses a second one); arms the first step at `startsAt` or now.
 * - `pause()`: running → paused (the current slot is closed; paused time is not counted).
 * - `resume()`: paused, paused_drift or needs_reauth → running (the next slot opens at once).
 * - `stop()`: any live status → stopped, and the original title goes back.
 * - `applyWinner(variant)`: running, paused or finished → completed with `variant` left live
 *   (null: the analysis' winner, refused when there is none).
 * - `amend({ endsAt, autoApply })`: a live test's new end time or auto-apply choice (PATCH).
 * - `view()`: the state above, once the step in progress (if any) is done.
 * - `forget()`: deletes the object's storage and alarm (before the test's row is deleted). An object
 *   that finds its row gone forgets itself too.
 * - `runDueStep()`: local time-lapse only (DEV_TIME_LAPSE, never in production): runs the armed
 *   step now, at its own time, and answers the state after it.
 */
export interface RotatorControl {
  start(testId: string): Promise<RotatorAnswer>;
  pause(): Promise<RotatorAnswer>;
  resume(): Promise<RotatorAnswer>;
  stop(): Promise<RotatorAnswer>;
  applyWinner(variant: number | null): Promise<RotatorAnswer>;
  amend(change: { endsAt?: number; autoApply?: boolean }): Promise<RotatorAnswer>;
  view(): Promise<RotatorView | null>;
  forget(): Promise<void>;
  runDueStep(): Promise<RotatorAnswer>;
}
