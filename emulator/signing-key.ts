import { exportJWK, generateKeyPair, importJWK, type JWK, SignJWT } from "jose";

/**
 * The RSA key that signs ID tokens. Generated once and kept in the Durable Object's storage, so
 * tokens signed before a restart still verify against the JWKS after it.
 */
export interface SigningKey {
  kid: string;
  privateKey: CryptoKey;
  publicJwk: JWK;
}

/** Loads the stored key, or generates and stores one. */
export async function loadSigningKey(sql: SqlStorage): Promise<SigningKey> {
  const row = sql
    .exec<{ kid: string; private_jwk: string; public_jwk: string }>(
      "SELECT kid, private_jwk, public_jwk FROM signing_keys ORDER BY created_real DESC LIMIT 1",
    )
    .toArray()[0];
  if (row) {
    const privateKey = (await importJWK(JSON.parse(row.private_jwk) as JWK, "RS256")) as CryptoKey;
    return { kid: row.kid, privateKey, publicJwk: JSON.parse(row.public_jwk) as JWK };
  }
  const pair = await generateKeyPair("RS256", { extractable: true, modulusLength: 2048 });
  const kid = crypto.randomUUID().replaceAll("-", "");
  const publicJwk: JWK = { ...(await exportJWK(pair.publicKey)), kid, alg: "RS256", use: "sig" };
  const privateJwk = await exportJWK(pair.privateKey);
  sql.exec(
    "INSERT INTO signing_keys (kid, private_jwk, public_jwk, created_real) VALUES (?, ?, ?, ?)",
    kid,
    JSON.stringify(privateJwk),
    JSON.stringify(publicJwk),
    Date.now(),
  );
  return { kid, privateKey: pair.privateKey, publicJwk };
}

/** Signs an ID token with the claims Google sets. */
export function signIdToken(
  key: SigningKey,
  claims: Record<string, unknown>,
  issuer: string,
  audience: string,
  ttlSeconds: number,
): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT(claims)
    .setProtectedHeader({ alg: "RS256", kid: key.kid, typ: "JWT" })
    .setIssuer(issuer)
    .setAudience(audience)
    .setIssuedAt(now)
    .setExpirationTime(now + ttlSeconds)
    .sign(key.privateKey);
}
