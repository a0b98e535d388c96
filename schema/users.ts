import { boolean, integer, pgTable, text, timestamp, uniqueIndex, uuid } from "drizzle-orm/pg-core";

/** Google Cloud projects whose OAuth client and API key the product uses (the QuotaLedger holds their live usage). */
export const oauthProjects = pgTable("oauth_projects", {
  id: text("id").primaryKey(),
  clientId: text("client_id").notNull(),
  /** Name of the secret that holds the API key — never the key itself. */
  apiKeyRef: text("api_key_ref").notNull(),
  dailyLimit: integer("daily_limit").notNull().default(10_000),
  enabled: boolean("enabled").notNull().default(true),
  createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
});

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
    oauthProjectId: text("oauth_project_id").references(() => oauthProjects.id),
    /** AES-256-GCM ciphertext, `v<keyVersion>.<iv>.<ciphertext>` in base64url; never plaintext. */
    refreshTokenEnc: text("refresh_token_enc"),
    /** Bumped by "sign out everywhere" and by revocation: sessions carrying an older version die. */
    sessionVersion: integer("session_version").notNull().default(1),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex("users_email_idx").on(t.email), uniqueIndex("users_google_sub_idx").on(t.googleSub)],
);
