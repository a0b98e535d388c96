import { and, eq, gt, isNull, sql } from "drizzle-orm";
import { sessions, users } from "../../schema";
import type { Plan } from "../auth/plans";
import { isRevokedIn, markerKeys } from "../auth/revocation";
import type { SessionClaims } from "../auth/session";
import type { HttpDb } from "../db/http";
import { reusableStatement } from "../db/reusable";

/** The signed-in user as every route sees it: who they are and what they may do. */
export interface Principal {
  id: string;
  email: string;
  plan: Plan;
  role: "user" | "admin";
  status: "active" | "needs_reauth";
  sessionVersion: number;
}

/** The principal's columns of the users row. */
const PRINCIPAL_COLUMNS = {
  id: users.id,
  email: users.email,
  plan: users.plan,
  role: users.role,
  status: users.status,
  sessionVersion: users.sessionVersion,
};

/** The session a request's token names: whose, which, and at what session version. */
type SessionRef = Pick<SessionClaims, "userId" | "sessionId" | "version">;

const PRINCIPAL_TTL_SECONDS = 300;
const cacheKey = (userId: string) => `principal:${userId}`;

/**
 * The principal of `userId`, from KV when cached (so most requests never touch Postgres for
 * auth), else from Postgres. `null` when the user does not exist (deleted).
 */
export async function loadPrincipal(env: Env, read: () => HttpDb, userId: string): Promise<Principal | null> {
  const cached = await env.CACHE.get<Principal>(cacheKey(userId), "json");
  if (cached) return cached;
  return readPrincipal(env, read, userId);
}

/**
 * The principal of a session, or `null` when the session is revoked or its version is not the
 * user's current one. The cache and the revocation markers are one bulk KV read (one subrequest,
 * not three); a cached principal whose version differs from the token's is never trusted either
 * way: Postgres decides (a stale cache write after a bump must not log out the user's new session).
 */
export async function loadSessionPrincipal(
  env: Env,
  read: () => HttpDb,
  claims: SessionRef,
): Promise<Principal | null> {
  const key = cacheKey(claims.userId);
  const { floor, revoked } = markerKeys(claims);
  const found = await env.CACHE.get([key, floor, revoked], "text");
  if (isRevokedIn(found, claims)) return null;
  const text = found.get(key);
  const cached = text ? (JSON.parse(text) as Principal) : null;
  const principal =
    cached?.sessionVersion === claims.version ? cached : await readPrincipal(env, read, claims.userId);
  return principal?.sessionVersion === claims.version ? principal : null;
}

async function readPrincipal(env: Env, read: () => HttpDb, userId: string): Promise<Principal | null> {
  const [row] = await read().select(PRINCIPAL_COLUMNS).from(users).where(eq(users.id, userId));
  if (!row) return null;
  await env.CACHE.put(cacheKey(userId), JSON.stringify(row), { expirationTtl: PRINCIPAL_TTL_SECONDS });
  return row;
}

/** Drops the cached principal: call after any change to the user's plan, role, status or sessions. */
export async function forgetPrincipal(env: Env, userId: string): Promise<void> {
  await env.CACHE.delete(cacheKey(userId));
}

/**
 * The principal of a session as one statement, with whether its recorded session is live (not
 * signed out, not past its end): the first statement of a read batch that checks its own session,
 * so a signed-in read costs one round trip instead of a KV read (and, on a miss, a select) first.
 */
export function sessionCheck(db: HttpDb, session: SessionRef) {
  return sessionCheckStatement(db, { userId: session.userId, sessionId: session.sessionId });
}

const sessionCheckStatement = reusableStatement(["userId", "sessionId"], (db, p) => {
  const live = db
    .select({ id: sessions.id })
    .from(sessions)
    .where(
      and(
        eq(sessions.id, p.sessionId),
        eq(sessions.userId, users.id),
        isNull(sessions.revokedAt),
        gt(sessions.expiresAt, sql`now()`),
      ),
    );
  return db
    .select({ ...PRINCIPAL_COLUMNS, live: sql<boolean>`exists (${live})` })
    .from(users)
    .where(eq(users.id, p.userId));
});

/**
 * The principal a `sessionCheck` confirmed, or `null` when the user is gone, the session was
 * ended, or its version is no longer the user's (Postgres is the truth; no cache is consulted).
 */
export function confirmedPrincipal(
  rows: ReadonlyArray<Principal & { live: boolean }>,
  session: SessionRef,
): Principal | null {
  const row = rows[0];
  if (!row?.live || row.sessionVersion !== session.version) return null;
  const { live: _, ...principal } = row;
  return principal;
}
