import { SignJWT } from "jose";
import { signWithSessionKeys, verifyWithSessionKeys } from "./hs256";

/** The session cookie; `__Host-` pins it to this origin, path `/`, Secure. */
export const SESSION_COOKIE = "__Host-ttp_session";

/** Sessions last 30 days from the last visit (sliding), the product's promise. */
export const SESSION_TTL_SECONDS = 30 * 24 * 3600;

/** A session older than this is re-issued on use, which is what makes the expiry slide. */
export const SESSION_REFRESH_AFTER_SECONDS = 24 * 3600;

const ISSUER = "titletesterpro";
const AUDIENCE = "titletesterpro:session";

/** What a session token says. */
export interface SessionClaims {
  userId: string;
  /** The user's session version when the token was made; a bump revokes every older token. */
  version: number;
  issuedAt: number;
}

type SessionEnv = { SESSION_KEYS?: string };

/** Signs a session token (HS256) with the current key of `SESSION_KEYS`, naming it in `kid`. */
export async function issueSessionToken(env: SessionEnv, userId: string, version: number, now = Date.now()) {
  const issuedAt = Math.floor(now / 1000);
  return signWithSessionKeys(
    env,
    new SignJWT({ sv: version })
      .setSubject(userId)
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setIssuedAt(issuedAt)
      .setExpirationTime(issuedAt + SESSION_TTL_SECONDS),
  );
}

/**
 * Verifies a session token: signature by the key its `kid` names, issuer, audience and expiry.
 * Answers `null` for any token that is not a valid session (tampered, expired, unknown key).
 */
export async function verifySessionToken(env: SessionEnv, token: string, now = Date.now()) {
  const payload = await verifyWithSessionKeys(env, token, {
    issuer: ISSUER,
    audience: AUDIENCE,
    currentDate: new Date(now),
  });
  if (
    !payload ||
    typeof payload.sub !== "string" ||
    typeof payload.sv !== "number" ||
    typeof payload.iat !== "number"
  ) {
    return null;
  }
  return { userId: payload.sub, version: payload.sv, issuedAt: payload.iat } satisfies SessionClaims;
}
