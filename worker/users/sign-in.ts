import { eq } from "drizzle-orm";
import { quotaLedger } from "../../durable-objects/quota-ledger/stub";
import { events, users } from "../../schema";
import { type OAuthAttempt, safeReturnPath } from "../auth/oauth-state";
import { encryptSecret } from "../auth/token-crypto";
import type { Db } from "../db/client";
import { enqueueJob } from "../queue/send";
import { authorizationUrl, createPkce, exchangeCode, verifyIdToken } from "../youtube";
import { storeAccessToken } from "../youtube/access-tokens";
import { googleEndpoints } from "../youtube/endpoints";
import { oauthClientOf, oauthDeps, youtubeClient } from "../youtube/from-env";
import { forgetPrincipal, type Principal } from "./principal";

/** The callback Google sends the user back to. */
export function redirectUri(origin: string): string {
  return `${origin}/api/auth/google/callback`;
}

function randomToken(): string {
  return Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, "0")).join(
    "",
  );
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

/** Comma-separated e-mail addresses that are admins (an operator setting). */
function isAdminEmail(env: Env, email: string): boolean {
  return (env.ADMIN_EMAILS ?? "")
    .split(",")
    .map((e) => e.trim().toLowerCase())
    .includes(email.toLowerCase());
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

  // The id is fixed before encrypting: the ciphertext is bound to its user's id.
  const [existing] = await db.$primary
    .select({ id: users.id })
    .from(users)
    .where(eq(users.googleSub, identity.sub));
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
    ...(isAdminEmail(env, identity.email) ? { role: "admin" as const } : {}),
  };
  const [user] = await db
    .insert(users)
    .values({ id: userId, googleSub: identity.sub, ...profile })
    .onConflictDoUpdate({ target: users.googleSub, set: profile })
    .returning();
  if (!user || user.id !== userId) throw new Error("the user changed while signing in; try again");

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
