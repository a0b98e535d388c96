import { bigint, date, index, pgTable, primaryKey, text, timestamp, uuid } from "drizzle-orm/pg-core";
import { users } from "./users";

/**
 * A creator's YouTube Reporting API job (one per report type, `channel_reach_basic_a1` for now).
 * Its creation time says when its first reports come: about 48 hours later, with 30 days of
 * backfill. `reportsSeenUntil` is the newest report creation time already stored (the next
 * listing asks only for reports created after it).
 */
export const reportingJobs = pgTable(
  "reporting_jobs",
  {
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    reportType: text("report_type").notNull(),
    jobId: text("job_id").notNull(),
    jobCreatedAt: timestamp("job_created_at", { withTimezone: true }).notNull(),
    reportsSeenUntil: timestamp("reports_seen_until", { withTimezone: true }),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.userId, t.reportType] })],
);

/**
 * Thumbnail impressions and clicks of one video on one Pacific day, from the Reporting API's
 * reach reports. One row per video and day: a re-download or a late correction replaces the
 * counts, and only a report created at or after `reportCreatedAt` may (an older one never
 * overwrites a newer one).
 */
export const videoReachDays = pgTable(
  "video_reach_days",
  {
    videoId: text("video_id").notNull(),
    day: date("day").notNull(),
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    impressions: bigint("impressions", { mode: "number" }).notNull(),
    clicks: bigint("clicks", { mode: "number" }).notNull(),
    reportCreatedAt: timestamp("report_created_at", { withTimezone: true }).notNull(),
    storedAt: timestamp("stored_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.videoId, t.day] }), index("video_reach_days_user_idx").on(t.userId)],
);
