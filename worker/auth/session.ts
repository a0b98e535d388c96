import { SignJWT } from "jose";
import { signWithSessionKeys, verifyWithSessionKeys } from "./hs256";

/** The session cookie; `__Host-` pins it to this origin, path `/`, Secure. */
export const SESSION_COOKIE = "__Host-ttp_session";

/** Sessions last 30 days from the last visit (sliding), the product's promise. */
export const SESSION_TTL_SECONDS = 30 * 24 * 3600;

/**
 * However often it is used, a session ends 90 days after its sign-in: a copied token cannot be
 * kept alive forever by a daily request. Then Google's consent (usually one click) starts a new one.
 */
export const SESSION_MAX_AGE_SECONDS = 90 * 24 * 3600;

/** A session older than this is re-issued on use, which is what makes the expiry slide. */
export const SESSION_REFRESH_AFTER_SECONDS = 24 * 3600;

const ISSUER = "titletesterpro";
const AUDIENCE = "titletesterpro:session";

/** What a session token says. */
export interface SessionClaims {
  userId: string;
  /** The session's id: sign-out revokes it (see `worker/auth/revocation.ts`). */
  sessionId: string;
  /** The user's session version when the token was made; a bump revokes every older token. */
  version: number;
  /** When this token was issued (seconds); a day later it is re-issued. */
  issuedAt: number;
  /** When the session began, at sign-in (seconds); re-issues keep it. */
  authTime: number;
}

type SessionEnv = { SESSION_KEYS?: string };

/** Seconds since the epoch. */
function seconds(ms: number): number {
  return Math.floor(ms / 1000);
}

/**
 * Signs a session token (HS256) with the current key of `SESSION_KEYS`, naming it in `kid`. It
 * expires 30 days after issue or at the session's absolute end, whichever comes first.
 */
export async function issueSessionToken(
  env: SessionEnv,
  session: Pick<SessionClaims, "userId" | "sessionId" | "version" | "authTime">,
  now = Date.now(),
) {
  const issuedAt = seconds(now);
  return signWithSessionKeys(
    env,
    new SignJWT({ sv: session.version, sid: session.sessionId, auth_time: session.authTime })
      .setSubject(session.userId)
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setIssuedAt(issuedAt)
      .setExpirationTime(sessionExpiry(session.authTime, issuedAt)),
  );
}

/** When a token issued at `issuedAt` of a session begun at `authTime` expires (seconds). */
export function sessionExpiry(authTime: number, issuedAt: number): number {
  return Math.min(issuedAt + SESSION_TTL_SECONDS, authTime + SESSION_MAX_AGE_SECONDS);
}

/**
 * Verifies a session token: signature by the key its `kid` names, issuer, audience, expiry and
 * the session's absolute lifetime. Answers `null` for any token that is not a valid session
 * (tampered, expired, unknown key, made before sessions had ids).
 */
export async function verifySessionToken(
  env: SessionEnv,
  token: string,
  now = Date.now(),
): Promise<SessionClaims | null> {
  const payload = await verifyWithSessionKeys(env, token, {
    issuer: ISSUER,
    audience: AUDIENCE,
    currentDate: new Date(now),
  });
  if (
    !payload ||
    typeof payload.sub !== "string" ||
    typeof payload.sv !== "number" ||
    typeof payload.sid !== "string" ||
    typeof payload.auth_time !== "number" ||
    typeof payload.iat !== "number"
  ) {
    return null;
  }
  if (seconds(now) >= payload.auth_time + SESSION_MAX_AGE_SECONDS) return null;
  return {
    userId: payload.sub,
    sessionId: payload.sid,
    version: payload.sv,
    issuedAt: payload.iat,
    authTime: payload.auth_time,
  };
}
