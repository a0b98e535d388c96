import { sql } from "drizzle-orm";
import {
  bigint,
  bigserial,
  boolean,
  date,
  doublePrecision,
  index,
  integer,
  jsonb,
  pgTable,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from "drizzle-orm/pg-core";
import { liveTestStatuses, testStatuses } from "./test-statuses";
import { users } from "./users";

export { finishedTestStatuses, liveTestStatuses, type TestStatus, testStatuses } from "./test-statuses";

/** One A/B test of a video's titles. */
export const tests = pgTable(
  "tests",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    videoId: text("video_id").notNull(),
    videoTitleOriginal: text("video_title_original").notNull(),
    status: text("status", { enum: testStatuses }).notNull().default("draft"),
    metric: text("metric", { enum: ["views", "ctr", "watch_time"] })
      .notNull()
      .default("views"),
    intervalMinutes: integer("interval_minutes").notNull(),
    /** Seconds into each slot at which this test's boundary falls, spreading the hourly herd. */
    boundaryOffsetSeconds: integer("boundary_offset_seconds").notNull().default(0),
    autoApply: boolean("auto_apply").notNull().default(true),
    startsAt: timestamp("starts_at", { withTimezone: true }),
    endsAt: timestamp("ends_at", { withTimezone: true }),
    startedAt: timestamp("started_at", { withTimezone: true }),
    finishedAt: timestamp("finished_at", { withTimezone: true }),
    currentVariant: integer("current_variant"),
    nextRotationAt: timestamp("next_rotation_at", { withTimezone: true }),
    decision: text("decision", { enum: ["collecting", "winner", "same", "inconclusive"] }),
    winnerVariant: integer("winner_variant"),
    winnerLift: doublePrecision("winner_lift"),
    pValue: doublePrecision("p_value"),
    /** The variant the latest analysis ranks first, and its probability to be best. */
    leaderVariant: integer("leader_variant"),
    leaderPBest: doublePrecision("leader_p_best"),
    /** The variant left live when the test ended (winner or original), once YouTube has it. */
    finalVariant: integer("final_variant"),
    finalTitleSetAt: timestamp("final_title_set_at", { withTimezone: true }),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index("tests_user_id_idx").on(t.userId),
    index("tests_status_idx").on(t.status),
    // One live test per video, enforced by the database rather than by a racy check.
    uniqueIndex("tests_one_live_per_video_idx")
      .on(t.videoId)
      .where(sql`${t.status} in (${sql.raw(liveTestStatuses.map((s) => `'${s}'`).join(", "))})`),
  ],
);

/** A title variant of a test; variant 0 is the original title, the control. */
export const titles = pgTable(
  "titles",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    testId: uuid("test_id")
      .notNull()
      .references(() => tests.id, { onDelete: "cascade" }),
    variant: integer("variant").notNull(),
    text: text("text").notNull(),
  },
  (t) => [
    index("titles_test_id_idx").on(t.testId),
    uniqueIndex("titles_test_variant_idx").on(t.testId, t.variant),
  ],
);

/** One rotation slot: the span during which one variant was live, with the views at its edges. */
export const slots = pgTable(
  "slots",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    testId: uuid("test_id")
      .notNull()
      .references(() => tests.id, { onDelete: "cascade" }),
    slotIndex: integer("slot_index").notNull(),
    variant: integer("variant").notNull(),
    block: integer("block").notNull(),
    startedAt: timestamp("started_at", { withTimezone: true }).notNull(),
    endedAt: timestamp("ended_at", { withTimezone: true }),
    viewsStart: bigint("views_start", { mode: "number" }).notNull(),
    viewsEnd: bigint("views_end", { mode: "number" }),
  },
  (t) => [
    // Keyed by test + index so that a retried alarm upserts instead of double-counting.
    uniqueIndex("slots_test_slot_idx").on(t.testId, t.slotIndex),
    // Every column the results read, in its order: a test's slots are written an hour or a day
    // apart, each on another heap page, and this index answers them from a page or two instead.
    index("slots_test_results_idx").on(
      t.testId,
      t.slotIndex,
      t.variant,
      t.block,
      t.startedAt,
      t.endedAt,
      t.viewsStart,
      t.viewsEnd,
    ),
  ],
);

/** Every poll of a test's video, and the Analytics API's daily rows. */
export const analyticsPolls = pgTable(
  "analytics_polls",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    /** The title live when polled; null on a daily row of a day several titles shared. */
    titleId: uuid("title_id").references(() => titles.id, { onDelete: "cascade" }),
    testId: uuid("test_id")
      .notNull()
      .references(() => tests.id, { onDelete: "cascade" }),
    kind: text("kind", { enum: ["poll", "daily"] }).notNull(),
    polledAt: timestamp("polled_at", { withTimezone: true }).notNull().defaultNow(),
    slotIndex: integer("slot_index"),
    viewCount: bigint("view_count", { mode: "number" }),
    likeCount: bigint("like_count", { mode: "number" }),
    commentCount: bigint("comment_count", { mode: "number" }),
    day: date("day"),
    impressions: bigint("impressions", { mode: "number" }),
    ctr: doublePrecision("ctr"),
    watchMinutes: doublePrecision("watch_minutes"),
  },
  (t) => [
    index("analytics_polls_title_id_idx").on(t.titleId),
    index("analytics_polls_test_id_idx").on(t.testId, t.polledAt),
    // One poll row per closed slot, one daily Analytics row per test and day: retries upsert.
    uniqueIndex("analytics_polls_test_slot_idx").on(t.testId, t.slotIndex).where(sql`${t.kind} = 'poll'`),
    uniqueIndex("analytics_polls_test_day_idx").on(t.testId, t.day).where(sql`${t.kind} = 'daily'`),
  ],
);

/** The audit trail: every state change of a test, and account events of a user. */
export const events = pgTable(
  "events",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    testId: uuid("test_id").references(() => tests.id, { onDelete: "cascade" }),
    type: text("type").notNull(),
    /** The TestRotator's outbox number: a re-sent event (after a crash) is not stored twice. */
    rotatorSeq: integer("rotator_seq"),
    data: jsonb("data").$type<Record<string, unknown>>().notNull().default({}),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index("events_test_id_idx").on(t.testId, t.createdAt),
    index("events_user_id_idx").on(t.userId, t.createdAt),
    uniqueIndex("events_test_rotator_seq_idx").on(t.testId, t.rotatorSeq),
  ],
);
