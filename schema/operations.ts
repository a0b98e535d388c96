import { sql } from "drizzle-orm";
import {
  bigint,
  bigserial,
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
import { users } from "./users";

/** Operator alerts; one open row per (kind, subject) episode, cleared when the condition ends. */
export const alerts = pgTable(
  "alerts",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    kind: text("kind").notNull(),
    subject: text("subject").notNull().default(""),
    severity: text("severity", { enum: ["warning", "critical"] }).notNull(),
    message: text("message").notNull(),
    data: jsonb("data").$type<Record<string, unknown>>().notNull().default({}),
    raisedAt: timestamp("raised_at", { withTimezone: true }).notNull().defaultNow(),
    notifiedAt: timestamp("notified_at", { withTimezone: true }),
    clearedAt: timestamp("cleared_at", { withTimezone: true }),
  },
  (t) => [
    uniqueIndex("alerts_open_episode_idx").on(t.kind, t.subject).where(sql`${t.clearedAt} is null`),
    index("alerts_raised_at_idx").on(t.raisedAt),
  ],
);

/** Per-user statistics precomputed by the hourly rollup, so dashboards never aggregate raw polls. */
export const userStats = pgTable("user_stats", {
  userId: uuid("user_id")
    .primaryKey()
    .references(() => users.id, { onDelete: "cascade" }),
  testsRun: integer("tests_run").notNull().default(0),
  testsActive: integer("tests_active").notNull().default(0),
  testsWon: integer("tests_won").notNull().default(0),
  testsSame: integer("tests_same").notNull().default(0),
  testsInconclusive: integer("tests_inconclusive").notNull().default(0),
  averageWinningLift: doublePrecision("average_winning_lift"),
  viewsDuringTests: bigint("views_during_tests", { mode: "number" }).notNull().default(0),
  updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
});

/** Background jobs that failed every retry, kept for the admin page. */
export const deadLetters = pgTable(
  "dead_letters",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    queue: text("queue").notNull(),
    messageId: text("message_id").notNull(),
    jobType: text("job_type").notNull(),
    body: jsonb("body").$type<unknown>().notNull(),
    attempts: integer("attempts").notNull(),
    receivedAt: timestamp("received_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex("dead_letters_message_idx").on(t.messageId)],
);
