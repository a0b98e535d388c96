import { errors, type JWTPayload, type JWTVerifyOptions, jwtVerify, type SignJWT } from "jose";
import { hmacKey, parseKeyring } from "./keyring";

/** Signs a JWT with the current key of the `SESSION_KEYS` keyring, naming it in `kid`. */
export async function signWithSessionKeys(env: { SESSION_KEYS?: string }, jwt: SignJWT): Promise<string> {
  const keyring = parseKeyring(env.SESSION_KEYS, "SESSION_KEYS", 32);
  const key = await hmacKey(keyring.keys.get(keyring.current) as Uint8Array);
  return jwt.setProtectedHeader({ alg: "HS256", kid: keyring.current }).sign(key);
}

/**
 * Verifies a JWT signed by `signWithSessionKeys` with the key its `kid` names (any key of the
 * keyring, so rotation logs nobody out). Answers `null` for anything that is not a valid token.
 */
export async function verifyWithSessionKeys(
  env: { SESSION_KEYS?: string },
  token: string,
  options: Omit<JWTVerifyOptions, "algorithms">,
): Promise<JWTPayload | null> {
  const keyring = parseKeyring(env.SESSION_KEYS, "SESSION_KEYS", 32);
  try {
    const { payload } = await jwtVerify(
      token,
      (header) => {
        const raw = header.kid === undefined ? undefined : keyring.keys.get(header.kid);
        if (!raw) throw new errors.JWKSNoMatchingKey();
        return hmacKey(raw);
      },
      { ...options, algorithms: ["HS256"] },
    );
    return payload;
  } catch (err) {
    if (err instanceof errors.JOSEError) return null;
    throw err;
  }
}
