import { z } from "zod";

/** Bodies of the admin API (`/__emulator/*`), validated by the routes and typed for the Durable Object. */

export const accountInput = z.object({
  sub: z
    .string()
    .regex(/^\d{1,30}$/)
    .optional(),
  email: z.email(),
  name: z.string().min(1).max(200),
  picture: z.url().optional(),
});
export type AccountInput = z.infer<typeof accountInput>;

export const channelInput = z.object({
  id: z
    .string()
    .regex(/^UC[\w-]{22}$/)
    .optional(),
  /** The owner, by sub or email. */
  account: z.string().min(1),
  title: z.string().min(1).max(100),
  description: z.string().max(1000).optional(),
  customUrl: z.string().optional(),
  subscriberCount: z.number().int().nonnegative().optional(),
});
export type ChannelInput = z.infer<typeof channelInput>;

export const videoInput = z.object({
  id: z
    .string()
    .regex(/^[\w-]{11}$/)
    .optional(),
  channelId: z.string().min(1),
  title: z.string().min(1).max(100),
  description: z.string().max(5000).optional(),
  tags: z.array(z.string()).optional(),
  categoryId: z.string().optional(),
  defaultLanguage: z.string().optional(),
  defaultAudioLanguage: z.string().optional(),
  privacyStatus: z.enum(["public", "unlisted", "private"]).optional(),
  /** ISO date or simulated ms since the epoch. */
  publishedAt: z.union([z.iso.datetime(), z.number().int()]).optional(),
  viewsPerDay: z.number().nonnegative().optional(),
  initialViews: z.number().int().nonnegative().optional(),
  durationSeconds: z.number().int().positive().optional(),
  seed: z.number().int().nonnegative().optional(),
  /** Hidden CTR of the first title from the start (else derived from its text). */
  titleCtr: z.number().gt(0).lt(1).optional(),
});
export type VideoAdminInput = z.infer<typeof videoInput>;

/** A Studio-style edit of a video (not through the Data API, costs no quota). */
export const videoPatch = z.object({
  title: z.string().min(1).max(100).optional(),
  description: z.string().max(5000).optional(),
  tags: z.array(z.string()).optional(),
});
export type VideoPatch = z.infer<typeof videoPatch>;

export const projectInput = z.object({
  id: z.string().min(1),
  clientId: z.string().min(1),
  clientSecret: z.string().min(1),
  apiKey: z.string().min(1),
  dailyLimit: z.number().int().positive().optional(),
  redirectUris: z.array(z.url()).optional(),
  /** Access-token lifetime for this client only (tests of refresh-ahead use a short one). */
  accessTokenTtlSeconds: z.number().int().min(1).optional(),
});
export type ProjectInput = z.infer<typeof projectInput>;

export const ctrInput = z.object({
  videoId: z.string().min(1),
  title: z.string().min(1),
  ctr: z.number().gt(0).lt(1),
});
export type CtrInput = z.infer<typeof ctrInput>;

export const clockInput = z.object({
  speed: z.number().min(0).max(1_000_000).optional(),
  advanceSeconds: z.number().min(0).optional(),
});
export type ClockInput = z.infer<typeof clockInput>;

export const settingsInput = z.object({
  propagationSeconds: z.number().min(0).optional(),
  accessTokenTtlSeconds: z.number().int().min(1).optional(),
});
export type SettingsInput = z.infer<typeof settingsInput>;

export const faultInput = z.object({
  method: z.string().min(1),
  project: z.string().optional(),
  errorRate: z.number().min(0).max(1).optional(),
  failNext: z.number().int().nonnegative().optional(),
  status: z.union([z.literal(403), z.number().int().min(429).max(599)]).optional(),
  latencyMs: z.number().int().nonnegative().max(600_000).optional(),
  /** Shorthand for a latency far beyond any client timeout (120 s). */
  timeout: z.boolean().optional(),
});
export type FaultAdminInput = z.infer<typeof faultInput>;

export const callsQuery = z.object({
  since: z.coerce.number().int().nonnegative().optional(),
  project: z.string().optional(),
  method: z.string().optional(),
  limit: z.coerce.number().int().positive().max(10_000).optional(),
});
export type CallsQuery = z.infer<typeof callsQuery>;
