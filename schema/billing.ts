import { boolean, index, pgTable, text, timestamp, uuid } from "drizzle-orm/pg-core";
import { users } from "./users";

/** Billing intervals a plan is sold at (Stripe's `recurring.interval`). */
export const billingIntervals = ["month", "year"] as const;
export type BillingInterval = (typeof billingIntervals)[number];

/**
 * A creator's Stripe subscription as the webhooks last told it (docs/BILLING.md). Stripe is the
 * truth; this row is the newest state seen, with the time of the event that carried it, so an
 * older event delivered late never overwrites a newer one.
 */
export const billingSubscriptions = pgTable(
  "billing_subscriptions",
  {
    /** Stripe's `sub_…`. */
    id: text("id").primaryKey(),
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    customerId: text("customer_id").notNull(),
    plan: text("plan", { enum: ["pro", "authority"] }).notNull(),
    interval: text("interval", { enum: billingIntervals }).notNull(),
    /** Stripe's status: `active`, `trialing`, `past_due`, `unpaid`, `canceled`, `incomplete`, … */
    status: text("status").notNull(),
    currentPeriodEnd: timestamp("current_period_end", { withTimezone: true }),
    cancelAtPeriodEnd: boolean("cancel_at_period_end").notNull().default(false),
    endedAt: timestamp("ended_at", { withTimezone: true }),
    /** The `created` time of the Stripe event whose state this row holds. */
    stateAt: timestamp("state_at", { withTimezone: true }).notNull(),
    /** The first failed renewal not yet paid; the grace period runs from it. */
    paymentFailedAt: timestamp("payment_failed_at", { withTimezone: true }),
    /** When the plan falls back to Free unless an invoice is paid first. */
    graceEndsAt: timestamp("grace_ends_at", { withTimezone: true }),
    /** The newest paid invoice's event time: a failure older than it is already settled. */
    paidAt: timestamp("paid_at", { withTimezone: true }),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index("billing_subscriptions_user_idx").on(t.userId), index("billing_grace_idx").on(t.graceEndsAt)],
);

/** Stripe events already applied, by id: a redelivered event changes nothing twice. */
export const billingEvents = pgTable("billing_events", {
  /** Stripe's `evt_…`. */
  id: text("id").primaryKey(),
  type: text("type").notNull(),
  receivedAt: timestamp("received_at", { withTimezone: true }).notNull().defaultNow(),
});
