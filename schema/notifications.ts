import { sql } from "drizzle-orm";
import { boolean, index, pgTable, text, timestamp, uuid } from "drizzle-orm/pg-core";
import type { NotificationKind } from "../worker/notifications/kinds";
import { users } from "./users";

/**
 * A creator's e-mail choices, one switch per kind. No row means the defaults (everything but the
 * weekly digest): a row is written only when they change something.
 */
export const notificationPreferences = pgTable(
  "notification_preferences",
  {
    userId: uuid("user_id")
      .primaryKey()
      .references(() => users.id, { onDelete: "cascade" }),
    testWinner: boolean("test_winner").notNull().default(true),
    testInconclusive: boolean("test_inconclusive").notNull().default(true),
    testPaused: boolean("test_paused").notNull().default(true),
    paymentFailed: boolean("payment_failed").notNull().default(true),
    weeklyDigest: boolean("weekly_digest").notNull().default(false),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index("notification_preferences_digest_idx").on(t.userId).where(sql`${t.weeklyDigest}`)],
);

/**
 * One row per notification event, keyed by a key the event determines (`test:<id>:winner`), so a
 * retried job or a redelivered event finds its row and never mails twice. `sentAt` is set once
 * the provider accepted the mail; `skipped` says why one was not sent (opted out, rejected).
 */
export const notifications = pgTable(
  "notifications",
  {
    eventKey: text("event_key").primaryKey(),
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    kind: text("kind").$type<NotificationKind>().notNull(),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    sentAt: timestamp("sent_at", { withTimezone: true }),
    /** The provider's id of the accepted mail. */
    providerId: text("provider_id"),
    /** `opted_out`, or `rejected: <provider's error name>` for a mail the provider refused for good. */
    skipped: text("skipped"),
  },
  (t) => [index("notifications_user_idx").on(t.userId, t.createdAt)],
);
