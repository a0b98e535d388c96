import { bigint, date, doublePrecision, pgTable, primaryKey, text, timestamp } from "drizzle-orm/pg-core";

/**
 * A video's views and minutes watched by Pacific day and traffic source, as the YouTube Analytics
 * API reports them (`dimensions=day,insightTrafficSourceType`). Keyed by video rather than by
 * test: the numbers are the video's, whichever test reads them; a re-fetch replaces a day's rows.
 */
export const trafficSources = pgTable(
  "traffic_sources",
  {
    videoId: text("video_id").notNull(),
    /** `YYYY-MM-DD`, a Pacific day. */
    day: date("day").notNull(),
    /** YouTube's `insightTrafficSourceType` (e.g. `RELATED_VIDEO`, `YT_SEARCH`). */
    source: text("source").notNull(),
    views: bigint("views", { mode: "number" }).notNull(),
    minutes: doublePrecision("minutes").notNull(),
    fetchedAt: timestamp("fetched_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.videoId, t.day, t.source] })],
);
