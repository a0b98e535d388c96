import { SqliteOutbox } from "../../worker/durable/outbox";
import { migrateSqlite } from "../../worker/durable/sqlite-migrations";
import type { DailyRecord } from "../../worker/title-tests/analysis";
import type { DailyVideoMetrics } from "../../worker/youtube/types";
import type { PolledVideo } from "../video-poller/polled-video";
import type { OutboxEvent, SlotRow } from "./mirror";
import { ROTATOR_MIGRATIONS } from "./schema";
import type { State } from "./state";

/** One entry of the rotator's step journal. */
export type JournalEntry = { seq: number; at: number; step: string; data: string };

/**
 * A day of the video as stored: views and minutes from the Analytics API, impressions and clicks
 * from the reach reports (null until each arrives).
 */
export type StoredDay = {
  day: string;
  views: number | null;
  minutes: number | null;
  impressions: number | null;
  clicks: number | null;
};

/** A day's reach as the reach reports gave it (`reportCreatedAt`: ms, the report that wrote it). */
export type ReachDay = { day: string; impressions: number; clicks: number; reportCreatedAt: number };

type SlotStored = {
  slot_index: number;
  variant: number;
  block: number;
  started_at: number;
  ended_at: number | null;
  views_start: number;
  views_end: number | null;
  likes: number | null;
  comments: number | null;
  copied: number;
};

/**
 * The TestRotator's SQLite storage: its state row, slots, Analytics days, step journal, outbox of
 * events for Postgres and armed fault points. Every read and write of the object's storage is here.
 */
export class RotatorStore {
  private readonly sql: SqlStorage;
  private readonly events: SqliteOutbox<{ type: string; data: Record<string, unknown> }>;

  constructor(private readonly storage: DurableObjectStorage) {
    this.sql = storage.sql;
    this.events = new SqliteOutbox(this.sql, {
      table: "outbox",
      columns: ["type", "data"],
      writtenAt: "at",
      encode: (e) => [e.type, JSON.stringify(e.data)],
      decode: (row) => ({ type: String(row.type), data: JSON.parse(String(row.data)) }),
    });
  }

  /** Brings the schema up to date (in the constructor's `blockConcurrencyWhile`). */
  migrate(): void {
    migrateSqlite(this.sql, ROTATOR_MIGRATIONS);
  }

  /** Deletes the storage and the alarm, leaving an empty, migrated object. */
  async wipe(): Promise<void> {
    await this.storage.deleteAlarm();
    await this.storage.deleteAll();
    this.migrate();
  }

  /** Runs `body` in one storage transaction: all its writes land, or none. */
  transaction<T>(body: () => T): T {
    return this.storage.transactionSync(body);
  }

  state(): State | null {
    const row = this.sql.exec<{ json: string }>("SELECT json FROM state").toArray()[0];
    return row ? (JSON.parse(row.json) as State) : null;
  }

  save(state: State): void {
    this.sql.exec("INSERT OR REPLACE INTO state (id, json) VALUES (1, ?)", JSON.stringify(state));
  }

  // ---- slots ---------------------------------------------------------------------------------

  /** The slots, by index (optionally filtered by a fixed `WHERE` clause). */
  slotRows(where = ""): SlotRow[] {
    return this.sql
      .exec<SlotStored>(`SELECT * FROM slots ${where} ORDER BY slot_index`)
      .toArray()
      .map((s) => ({
        slotIndex: s.slot_index,
        variant: s.variant,
        block: s.block,
        startedAt: s.started_at,
        endedAt: s.ended_at,
        viewsStart: s.views_start,
        viewsEnd: s.views_end,
        likes: s.likes,
        comments: s.comments,
      }));
  }

  openSlot(): SlotRow | undefined {
    return this.slotRows("WHERE ended_at IS NULL")[0];
  }

  slotCount(): number {
    return this.sql.exec<{ n: number }>("SELECT count(*) AS n FROM slots").one().n;
  }

  /** Slots changed since the last copy to Postgres. */
  uncopiedSlots(): SlotRow[] {
    return this.slotRows("WHERE copied = 0");
  }

  openSlotAt(slot: { index: number; variant: number; block: number; at: number; views: number }): void {
    this.sql.exec(
      "INSERT INTO slots (slot_index, variant, block, started_at, views_start) VALUES (?, ?, ?, ?, ?)",
      slot.index,
      slot.variant,
      slot.block,
      slot.at,
      slot.views,
    );
  }

  /** Closes slot `index` at `at` with the video's counts (a closed slot stays as it is). */
  closeSlot(index: number, at: number, video: PolledVideo): void {
    this.sql.exec(
      "UPDATE slots SET ended_at = ?, views_end = ?, likes = ?, comments = ?, copied = 0 WHERE slot_index = ? AND ended_at IS NULL",
      at,
      video.viewCount,
      video.likeCount,
      video.commentCount,
      index,
    );
  }

  /** Ends slot `index` empty (no hours, no views): its end could not be read. */
  dropSlot(index: number): void {
    this.sql.exec(
      "UPDATE slots SET ended_at = started_at, views_end = views_start, copied = 0 WHERE slot_index = ?",
      index,
    );
  }

  // ---- Analytics days ------------------------------------------------------------------------

  /** Stores the Analytics API's daily rows (a day fetched again replaces the earlier figures). */
  putDays(rows: readonly DailyVideoMetrics[]): void {
    this.transaction(() => {
      for (const r of rows)
        this.sql.exec(
          `INSERT INTO days (day, views, minutes, copied) VALUES (?, ?, ?, 0)
           ON CONFLICT (day) DO UPDATE SET views = excluded.views, minutes = excluded.minutes, copied = 0`,
          r.day,
          r.views,
          r.estimatedMinutesWatched,
        );
    });
  }

  /**
   * Stores the reach of days (from Postgres' `video_reach_days`): a day's counts are replaced by
   * those of a report at least as new, and marked for copying only when they changed.
   */
  putReach(rows: readonly ReachDay[]): void {
    this.transaction(() => {
      for (const r of rows)
        this.sql.exec(
          `INSERT INTO days (day, impressions, clicks, report_created_at, copied) VALUES (?, ?, ?, ?, 0)
           ON CONFLICT (day) DO UPDATE SET impressions = excluded.impressions, clicks = excluded.clicks,
             report_created_at = excluded.report_created_at, copied = 0
           WHERE (days.report_created_at IS NULL OR excluded.report_created_at >= days.report_created_at)
             AND (days.impressions IS NOT excluded.impressions OR days.clicks IS NOT excluded.clicks)`,
          r.day,
          r.impressions,
          r.clicks,
          r.reportCreatedAt,
        );
    });
  }

  /** Every stored day, as the analysis reads it. */
  days(): Map<string, DailyRecord> {
    const rows = this.sql.exec<StoredDay>("SELECT * FROM days").toArray();
    return new Map(
      rows.map((r) => [
        r.day,
        {
          day: r.day,
          impressions: r.impressions,
          clicks: r.clicks,
          ctr: r.impressions && r.clicks !== null ? r.clicks / r.impressions : r.impressions === 0 ? 0 : null,
          watchMinutes: r.minutes,
        },
      ]),
    );
  }

  /** Days changed since the last copy to Postgres. */
  uncopiedDays(): StoredDay[] {
    return this.sql.exec<StoredDay>("SELECT * FROM days WHERE copied = 0").toArray();
  }

  // ---- journal and outbox --------------------------------------------------------------------

  /** The step journal, oldest first. */
  history(): JournalEntry[] {
    return this.sql.exec<JournalEntry>("SELECT * FROM journal ORDER BY seq").toArray();
  }

  journal(step: string, data: Record<string, unknown>): void {
    this.sql.exec(
      "INSERT INTO journal (at, step, data) VALUES (?, ?, ?)",
      Date.now(),
      step,
      JSON.stringify(data),
    );
  }

  /** An event of the test: journalled, and queued in the outbox for Postgres' `events`. */
  event(type: string, data: Record<string, unknown>): void {
    this.events.add({ type, data }, Date.now());
    this.journal(type, data);
  }

  /** The events not yet copied to Postgres, oldest first. */
  outbox(): OutboxEvent[] {
    return this.events
      .pending()
      .map((e) => ({ seq: e.seq, type: e.entry.type, data: e.entry.data, at: e.at }));
  }

  /** After a copy went through: its slots, days and events (up to `lastSeq`) are in Postgres. */
  markCopied(
    slots: readonly SlotRow[],
    days: readonly { day: string }[],
    lastSeq: number,
    state: State,
  ): void {
    this.transaction(() => {
      for (const s of slots) this.sql.exec("UPDATE slots SET copied = 1 WHERE slot_index = ?", s.slotIndex);
      this.events.delivered(lastSeq, Date.now());
      for (const d of days) this.sql.exec("UPDATE days SET copied = 1 WHERE day = ?", d.day);
      this.save(state);
    });
  }

  // ---- fault points --------------------------------------------------------------------------

  /** Arms a crash at `point` (once). */
  armFault(point: string): void {
    this.sql.exec("INSERT OR IGNORE INTO faults (point) VALUES (?)", point);
  }

  /** Disarms `point`, answering whether it was armed. */
  takeFault(point: string): boolean {
    return this.sql.exec("DELETE FROM faults WHERE point = ? RETURNING point", point).toArray().length > 0;
  }
}
