import { pacificDay, pacificDayKey } from "../../worker/quota/pacific-day";
import { dailySlots } from "../../worker/title-tests/analysis";
import { youtubeClient } from "../../worker/youtube/from-env";
import { toRecord } from "./analysis";
import { ownerOnYouTube } from "./live-video";
import type { DailyRow } from "./mirror";
import type { State } from "./state";
import type { RotatorStore } from "./store";

/**
 * A test's daily Analytics rows (impressions, CTR, watch time): fetched once per Pacific day,
 * stored with the object, copied to Postgres with the variant live all that day.
 */
export class DailyMetrics {
  constructor(
    private readonly env: Env,
    private readonly store: RotatorStore,
  ) {}

  /**
   * Once per Pacific day (of the steps' time), the video's daily Analytics rows since the test
   * started. They cost no Data API quota. A failure only means a day later; the rotation itself
   * never waits on them (the settle step does, by design).
   */
  async fetchIfDue(state: State, at: number, settling = false): Promise<void> {
    const today = pacificDayKey(at);
    const live = state.status === "running" || settling;
    if (state.analyticsDay === today || state.record.startedAt === null || !live) return;
    try {
      const user = await ownerOnYouTube(this.env, state);
      const rows = await youtubeClient(this.env).getDailyVideoMetrics(
        user,
        state.videoId,
        pacificDayKey(state.record.startedAt),
        today,
      );
      this.store.putDays(rows);
      state.analyticsDay = today;
    } catch (err) {
      this.store.journal("analytics_failed", {
        message: err instanceof Error ? err.message.slice(0, 200) : String(err),
      });
    }
  }

  /** Closed daily slots (and `closing`, about to close) whose Analytics row has not arrived. */
  missing(state: State, closing?: number): number {
    if (state.metric === "views") return 0;
    const records = this.store
      .slotRows()
      .map((s) =>
        toRecord(s.slotIndex === closing ? { ...s, endedAt: s.startedAt + 1, viewsEnd: s.viewsStart } : s),
      );
    return dailySlots(state.metric, records, this.store.days(), pacificDayKey).missing;
  }

  /** Daily rows not yet in Postgres, each with the variant live all that day (if only one was). */
  rowsToCopy(state: State): DailyRow[] {
    const slots = this.store.slotRows();
    return this.store.uncopiedDays().map((d) => {
      const bounds = pacificDay(Date.parse(`${d.day}T12:00:00Z`));
      const live = new Set(
        slots
          .filter(
            (s) => s.startedAt < bounds.endsAt && (s.endedAt ?? Number.POSITIVE_INFINITY) > bounds.startsAt,
          )
          .map((s) => s.variant),
      );
      const variant = live.size === 1 ? [...live][0] : undefined;
      return {
        day: d.day,
        titleId: variant === undefined ? null : (state.titleIds[variant] ?? null),
        views: d.views,
        impressions: d.impressions,
        ctr: d.ctr,
        watchMinutes: d.minutes,
      };
    });
  }
}
