import { index, integer, pgTable, text, timestamp, uniqueIndex, uuid } from "drizzle-orm/pg-core";

/** A creator (or an admin) signed in with Google. */
export const users = pgTable(
  "users",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    googleSub: text("google_sub").notNull(),
    email: text("email").notNull(),
    name: text("name").notNull().default(""),
    avatarUrl: text("avatar_url"),
    channelId: text("channel_id"),
    channelTitle: text("channel_title"),
    channelAvatarUrl: text("channel_avatar_url"),
    plan: text("plan", { enum: ["free", "pro", "authority"] })
      .notNull()
      .default("free"),
    role: text("role", { enum: ["user", "admin"] })
      .notNull()
      .default("user"),
    status: text("status", { enum: ["active", "needs_reauth"] })
      .notNull()
      .default("active"),
    /**
     * Who set the plan: `default` (Free, never paid), `billing` (Stripe's webhooks) or `admin` (a
     * complimentary plan, which billing never changes; docs/BILLING.md).
     */
    planSource: text("plan_source", { enum: ["default", "billing", "admin"] })
      .notNull()
      .default("default"),
    /** The creator's Stripe customer (`cus_…`), created at their first checkout and kept. */
    stripeCustomerId: text("stripe_customer_id"),
    /** The QuotaLedger project the user consented to (projects live in the ledger, not here). */
    oauthProjectId: text("oauth_project_id"),
    /** AES-256-GCM ciphertext, `v<keyVersion>.<iv>.<ciphertext>` in base64url; never plaintext. */
    refreshTokenEnc: text("refresh_token_enc"),
    /** Bumped by "sign out everywhere" and by revocation: sessions carrying an older version die. */
    sessionVersion: integer("session_version").notNull().default(1),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex("users_email_idx").on(t.email),
    uniqueIndex("users_google_sub_idx").on(t.googleSub),
    uniqueIndex("users_stripe_customer_idx").on(t.stripeCustomerId),
  ],
);

/**
 * One signed-in browser: the `sid` its session token carries. Sign-out revokes it (here, and as a
 * KV marker that requests read); a session never lives past `expiresAt`, however often it is used.
 */
export const sessions = pgTable(
  "sessions",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    /** The absolute end of the session (sign-in + 90 days); re-issued cookies keep it. */
    expiresAt: timestamp("expires_at", { withTimezone: true }).notNull(),
    /** Set by sign-out, sign-out everywhere, a demotion or a plan change. */
    revokedAt: timestamp("revoked_at", { withTimezone: true }),
  },
  (t) => [index("sessions_user_idx").on(t.userId)],
);
