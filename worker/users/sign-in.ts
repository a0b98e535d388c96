import { eq, or, sql } from "drizzle-orm";
import { quotaLedger } from "../../durable-objects/quota-ledger/stub";
import { events, users } from "../../schema";
import { toHex } from "../auth/keyring";
import { type OAuthAttempt, safeReturnPath } from "../auth/oauth-state";
import { encryptSecret } from "../auth/token-crypto";
import type { Db } from "../db/client";
import { enqueueJob } from "../queue/send";
import { authorizationUrl, createPkce, exchangeCode, revokeToken, verifyIdToken } from "../youtube";
import { storeAccessToken } from "../youtube/access-tokens";
import { googleEndpoints } from "../youtube/endpoints";
import { oauthClientOf, oauthDeps, youtubeClient } from "../youtube/from-env";
import type { GoogleIdentity } from "../youtube/types";
import { forgetPrincipal, type Principal } from "./principal";
import { afterSessionVersionBump } from "./sessions";

/**
 * A sign-in refused because another Google account already owns the e-mail address (Google lets
 * two accounts share one, e.g. a Workspace account and a consumer one). Accounts are keyed by
 * Google's `sub`; silently merging them would hand one person the other's channel and tests.
 */
export class EmailInUseError extends Error {
  constructor() {
    super("another Google account already signed in with this e-mail address");
    this.name = "EmailInUseError";
  }
}

/** Whether a failed query hit the unique index on `users.email` (a concurrent sign-in). */
function isEmailConflict(err: unknown): boolean {
  for (let e: unknown = err, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    const { code, constraint } = e as { code?: unknown; constraint?: unknown };
    if (code === "23505") return constraint === "users_email_idx";
  }
  return false;
}

/** The callback Google sends the user back to. */
export function redirectUri(origin: string): string {
  return `${origin}/api/auth/google/callback`;
}

function randomToken(): string {
  return toHex(crypto.getRandomValues(new Uint8Array(16)));
}

/**
 * Starts a sign-in: picks the OAuth client (the project of a returning browser, else the one the
 * ledger has most room in — a user's writes are charged to the project they consent to), and
 * makes the PKCE pair, state and nonce that the callback will check.
 */
export async function beginSignIn(
  env: Env,
  options: { origin: string; returnTo?: string; projectHint?: string; loginHint?: string },
): Promise<{ url: string; attempt: OAuthAttempt }> {
  const project = await quotaLedger(env).suggestProject(options.projectHint);
  const pkce = await createPkce();
  const attempt: OAuthAttempt = {
    state: randomToken(),
    codeVerifier: pkce.verifier,
    nonce: randomToken(),
    project: project.project,
    returnTo: safeReturnPath(options.returnTo),
  };
  const url = authorizationUrl(googleEndpoints(env), {
    clientId: project.clientId,
    redirectUri: redirectUri(options.origin),
    state: attempt.state,
    codeChallenge: pkce.challenge,
    nonce: attempt.nonce,
    loginHint: options.loginHint,
  });
  return { url, attempt };
}

/**
 * The role a sign-in gives, recomputed at every sign-in (so removing an address from
 * `ADMIN_EMAILS`, a comma-separated operator setting, demotes at the next one): admin only for a
 * listed address that Google says is verified — an unverified address proves nothing about who
 * holds the account.
 */
export function roleFor(
  env: { ADMIN_EMAILS?: string },
  identity: Pick<GoogleIdentity, "email" | "emailVerified">,
): "user" | "admin" {
  if (!identity.emailVerified) return "user";
  const listed = (env.ADMIN_EMAILS ?? "")
    .split(",")
    .map((e) => e.trim().toLowerCase())
    .filter((e) => e.length > 0);
  return listed.includes(identity.email.toLowerCase()) ? "admin" : "user";
}

/**
 * Finishes a sign-in after Google's redirect: exchanges the code (with the PKCE verifier), verifies
 * the ID token (JWKS, issuer, audience, expiry, nonce), reads the user's channel, stores the
 * refresh token encrypted (which also ends a `needs_reauth` state: the caller resumes the tests it
 * had paused, see `resumeAfterReconnect`), and pins the user to the project they consented to. Answers the signed-in principal.
 */
export async function completeSignIn(
  env: Env,
  db: Db,
  attempt: OAuthAttempt,
  code: string,
  origin: string,
): Promise<Principal> {
  const endpoints = googleEndpoints(env);
  const client = await oauthClientOf(env, attempt.project);
  const tokens = await exchangeCode(oauthDeps(env), client, {
    code,
    codeVerifier: attempt.codeVerifier,
    redirectUri: redirectUri(origin),
  });
  if (!tokens.idToken) throw new Error("Google answered without an ID token");
  if (!tokens.refreshToken) throw new Error("Google answered without a refresh token");
  const identity = await verifyIdToken(endpoints, tokens.idToken, {
    clientId: client.clientId,
    nonce: attempt.nonce,
  });

  // One read for both: the account of this `sub`, and any other account holding the address (at
  // most one of each, by the unique indexes).
  const holders = await db.$primary
    .select({ id: users.id, role: users.role, googleSub: users.googleSub })
    .from(users)
    .where(or(eq(users.googleSub, identity.sub), eq(users.email, identity.email)));
  // One account per e-mail: another Google account with this address is refused, not merged.
  if (holders.some((holder) => holder.googleSub !== identity.sub)) {
    // The grant just made is of no use: hand it back rather than leave it dangling at Google.
    await revokeToken(oauthDeps(env), tokens.refreshToken).catch(() => undefined);
    throw new EmailInUseError();
  }

  // The id is fixed before encrypting: the ciphertext is bound to its user's id.
  const existing = holders[0];
  const userId = existing?.id ?? crypto.randomUUID();
  await storeAccessToken(env.CACHE, userId, tokens, Date.now());
  const channel = await youtubeClient(env).getMyChannel(
    { id: userId, project: attempt.project, refreshToken: tokens.refreshToken },
    { fresh: true },
  );
  const profile = {
    email: identity.email,
    name: identity.name ?? identity.email,
    avatarUrl: identity.picture ?? null,
    channelId: channel.id,
    channelTitle: channel.title,
    channelAvatarUrl: channel.thumbnailUrl ?? null,
    oauthProjectId: attempt.project,
    refreshTokenEnc: await encryptSecret(env, userId, tokens.refreshToken),
    status: "active" as const,
    updatedAt: new Date(),
    role: roleFor(env, identity),
  };
  // A demotion ends the sessions made while the user was an admin (their version is bumped).
  const demoted = existing?.role === "admin" && profile.role === "user";
  let user: typeof users.$inferSelect | undefined;
  try {
    [user] = await db
      .insert(users)
      .values({ id: userId, googleSub: identity.sub, ...profile })
      .onConflictDoUpdate({
        target: users.googleSub,
        set: demoted ? { ...profile, sessionVersion: sql`${users.sessionVersion} + 1` } : profile,
      })
      .returning();
  } catch (err) {
    if (isEmailConflict(err)) throw new EmailInUseError();
    throw err;
  }
  if (!user || user.id !== userId) throw new Error("the user changed while signing in; try again");
  if (demoted) await afterSessionVersionBump(db, env, user.id, user.sessionVersion);

  const ledger = quotaLedger(env);
  await ledger.pinProject(user.id, attempt.project, user.plan);
  await db.insert(events).values({
    userId: user.id,
    type: existing ? "user.signed_in" : "user.created",
    data: { project: attempt.project, channelId: channel.id },
  });
  await forgetPrincipal(env, user.id);
  // The thumbnail-impressions job (worker/jobs/reach.ts); a lost send is made up by the first CTR test.
  const reportingJob = { type: "reporting.ensure", userId: user.id };
  await enqueueJob(env, reportingJob).catch(() => undefined);
  return {
    id: user.id,
    email: user.email,
    plan: user.plan,
    role: user.role,
    status: user.status,
    sessionVersion: user.sessionVersion,
  };
}
