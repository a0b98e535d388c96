import { and, eq, gte } from "drizzle-orm";
import { videoReachDays } from "../../schema";
import { openDb } from "../../worker/db/client";
import type { ReportingEnsureJob } from "../../worker/jobs/messages";
import { reachExpectedAt, storedJobOf } from "../../worker/jobs/reach";
import { enqueueJob } from "../../worker/queue/send";
import { pacificDay, pacificDayKey } from "../../worker/quota/pacific-day";
import { dailySlots } from "../../worker/title-tests/analysis";
import { youtubeClient } from "../../worker/youtube/from-env";
import { toRecord } from "./analysis";
import { ownerOnYouTube } from "./live-video";
import type { DailyRow } from "./mirror";
import type { State } from "./state";
import type { RotatorStore } from "./store";

const DAY_MS = 86_400_000;

/**
 * A test's daily figures, stored with the object and copied to Postgres with the variant live all
 * that day: views and watch time from the Analytics API (fetched once per Pacific day), thumbnail
 * impressions and clicks from the Reporting API's reach reports, which the `reach.fetch` job
 * stores in Postgres (`video_reach_days`) and a CTR test reads from there at every step.
 */
export class DailyMetrics {
  constructor(
    private readonly env: Env,
    private readonly store: RotatorStore,
  ) {}

  /**
   * Brings the daily figures up to date: once per Pacific day (of the steps' time) the video's
   * Analytics rows since the test started (no Data API quota), and for a CTR test its reach days
   * from Postgres. A failure only means a day later; the rotation itself never waits on them (the
   * settle step does, by design).
   */
  async fetchIfDue(state: State, at: number, settling = false): Promise<void> {
    const live = state.status === "running" || settling;
    if (state.record.startedAt === null || !live) return;
    const today = pacificDayKey(at);
    if (state.metric === "ctr") await this.readReach(state, at);
    if (state.analyticsDay === today) return;
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
      this.store.journal("analytics_failed", { message: messageOf(err) });
    }
  }

  /** Closed daily slots (and `closing`, about to close) whose figure has not arrived. */
  missing(state: State, closing?: number): number {
    if (state.metric === "views") return 0;
    return dailySlots(state.metric, this.records(closing), this.store.days(), pacificDayKey).missing;
  }

  /**
   * How long a CTR test past its end may wait for its missing days: a day after the latest of
   * their expected arrivals (a young reporting job delivers later than the usual two days), or
   * `fallback` if that is later. Other metrics: `fallback`.
   */
  settleUntil(state: State, fallback: number): number {
    if (state.metric !== "ctr") return fallback;
    const latest = Math.max(0, ...this.pendingDays(state).map((p) => p.expectedAt ?? 0));
    return Math.max(fallback, latest + DAY_MS);
  }

  /** Daily rows not yet in Postgres, each with the variant live all that day (if only one was). */
  rowsToCopy(state: State): DailyRow[] {
    const slots = this.store.slotRows();
    const days = this.store.days();
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
        ctr: days.get(d.day)?.ctr ?? null,
        watchMinutes: d.minutes,
      };
    });
  }

  /**
   * Reads the test's reach days from Postgres into the object's storage, and says (once per
   * change) when the first missing day should arrive from YouTube: an event on the test,
   * "impressions for <day> arrive from YouTube around <date>".
   */
  private async readReach(state: State, at: number): Promise<void> {
    const { db, close } = openDb(this.env);
    try {
      const from = pacificDayKey(state.record.startedAt ?? at);
      const rows = await db.$primary
        .select({
          day: videoReachDays.day,
          impressions: videoReachDays.impressions,
          clicks: videoReachDays.clicks,
          reportCreatedAt: videoReachDays.reportCreatedAt,
        })
        .from(videoReachDays)
        .where(and(eq(videoReachDays.videoId, state.videoId), gte(videoReachDays.day, from)));
      this.store.putReach(rows.map((r) => ({ ...r, reportCreatedAt: r.reportCreatedAt.getTime() })));
      const job = await storedJobOf(db, state.userId);
      state.reachJobCreatedAt = job?.jobCreatedAt.getTime() ?? null;
    } catch (err) {
      this.store.journal("reach_failed", { message: messageOf(err) });
      return;
    } finally {
      await close();
    }
    const first = this.pendingDays(state)[0];
    const note = first
      ? first.expectedAt === null
        ? `impressions for ${first.day} arrive from YouTube about two days after its reporting job is created`
        : `impressions for ${first.day} arrive from YouTube around ${new Date(first.expectedAt).toISOString().slice(0, 16).replace("T", " ")} UTC`
      : null;
    if (note !== null && note !== (state.reachPending ?? null)) {
      this.store.event("reach_pending", {
        day: first?.day,
        expectedAt: first?.expectedAt ?? null,
        message: note,
      });
    }
    state.reachPending = note;
  }

  /** The test's closed days without reach figures, oldest first, with when each should arrive. */
  private pendingDays(state: State): { day: string; expectedAt: number | null }[] {
    const days = this.store.days();
    const pending = new Set<string>();
    for (const r of this.records()) {
      if (r.endedAt === null) continue;
      const day = pacificDayKey(r.startedAt.getTime());
      const row = days.get(day);
      if (!row || row.impressions === null) pending.add(day);
    }
    return [...pending]
      .sort()
      .map((day) => ({ day, expectedAt: reachExpectedAt(day, state.reachJobCreatedAt ?? null) }));
  }

  private records(closing?: number) {
    return this.store
      .slotRows()
      .map((s) =>
        toRecord(s.slotIndex === closing ? { ...s, endedAt: s.startedAt + 1, viewsEnd: s.viewsStart } : s),
      );
  }
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message.slice(0, 200) : String(err);
}

/**
 * A CTR test starts: its owner's reach reporting job is made sure of by a queue job (the start
 * never waits on YouTube). A lost enqueue is made up by the daily `reach.fetch`, which creates
 * the job too.
 */
export async function requestReachJob(
  env: Env,
  userId: string,
  log: { warn: (msg: string, fields: Record<string, unknown>) => void },
): Promise<void> {
  const job: ReportingEnsureJob = { type: "reporting.ensure", userId };
  try {
    await enqueueJob(env, job);
  } catch (err) {
    log.warn("rotator.reporting_enqueue_failed", { userId, message: messageOf(err) });
  }
}
