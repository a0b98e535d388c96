import { env } from "cloudflare:test";
import { SignJWT } from "jose";
import { describe, expect, it } from "vitest";
import { fromBase64Url, newKeyringSecret, parseKeyring } from "../../worker/auth/keyring";
import { issueSessionToken, verifySessionToken } from "../../worker/auth/session";
import { decryptSecret, encryptSecret } from "../../worker/auth/token-crypto";

const USER = "3f1c9a1e-0000-4000-8000-000000000001";
const OTHER = "3f1c9a1e-0000-4000-8000-000000000002";

/** A keyring secret with the given current key, keeping the keys of `previous`. */
function rotated(previous: string, id: string): string {
  const old = JSON.parse(previous) as { keys: Record<string, string> };
  const fresh = JSON.parse(newKeyringSecret()) as { keys: Record<string, string> };
  return JSON.stringify({ current: id, keys: { ...old.keys, [id]: fresh.keys["1"] } });
}

describe("refresh token encryption", () => {
  it("round-trips, with a fresh IV every time and no plaintext in the stored form", async () => {
    const token = "1//0refresh-token-plaintext";
    const a = await encryptSecret(env, USER, token);
    const b = await encryptSecret(env, USER, token);
    expect(a).not.toBe(b);
    expect(a).not.toContain("refresh");
    expect(a).toMatch(/^v1\.[\w-]{16}\.[\w-]+$/);
    expect(await decryptSecret(env, USER, a)).toBe(token);
  });

  it("refuses a tampered ciphertext and one moved onto another user's row", async () => {
    const stored = await encryptSecret(env, USER, "secret");
    const last = stored.at(-2) === "A" ? "B" : "A";
    const tampered = `${stored.slice(0, -2)}${last}${stored.at(-1)}`;
    await expect(decryptSecret(env, USER, tampered)).rejects.toThrow();
    await expect(decryptSecret(env, OTHER, stored)).rejects.toThrow();
    await expect(decryptSecret(env, USER, "plaintext")).rejects.toThrow("not an encrypted secret");
  });

  it("keeps old ciphertexts readable after a key rotation, and encrypts new ones with the new key", async () => {
    const before = await encryptSecret(env, USER, "old");
    const next = { TOKEN_ENCRYPTION_KEYS: rotated(env.TOKEN_ENCRYPTION_KEYS as string, "2") };
    expect(await decryptSecret(next, USER, before)).toBe("old");
    expect(before.startsWith("v1.")).toBe(true);
    const after = await encryptSecret(next, USER, "new");
    expect(after.startsWith("v2.")).toBe(true);
    expect(await decryptSecret(next, USER, after)).toBe("new");
  });

  it("rejects keyrings with short or missing keys", () => {
    expect(() => parseKeyring(undefined, "K", 32)).toThrow("K is not set");
    expect(() => parseKeyring('{"current":"1","keys":{"1":"c2hvcnQ"}}', "K", 32)).toThrow("shorter than 32");
    expect(() => parseKeyring('{"current":"9","keys":{"1":"c2hvcnQ"}}', "K", 1)).toThrow("current key 9");
    // A keyring once parsed is remembered, but never past a change of its secret or its minimum.
    const short = newKeyringSecret(16);
    expect(parseKeyring(short, "K", 16).keys.get("1")).toHaveLength(16);
    expect(() => parseKeyring(short, "K", 32)).toThrow("shorter than 32");
    const long = newKeyringSecret(32);
    expect(parseKeyring(long, "K", 32).keys.get("1")).toEqual(fromBase64Url(JSON.parse(long).keys["1"]));
    expect(() => parseKeyring(undefined, "K", 32)).toThrow("K is not set");
  });
});

/** The claims of a session of `userId` begun at `at`. */
function session(userId: string, version: number, at = Date.now()) {
  return { userId, sessionId: crypto.randomUUID(), version, authTime: Math.floor(at / 1000) };
}

describe("session tokens", () => {
  it("verify with the key their kid names, and carry the session version", async () => {
    const token = await issueSessionToken(env, session(USER, 3));
    expect(await verifySessionToken(env, token)).toMatchObject({ userId: USER, version: 3 });
  });

  it("refuse a tampered payload", async () => {
    const token = await issueSessionToken(env, session(USER, 1));
    const [header, payload, signature] = token.split(".");
    const forged = btoa(JSON.stringify({ ...JSON.parse(atob(payload as string)), sub: OTHER }))
      .replace(/=+$/, "")
      .replace(/\+/g, "-")
      .replace(/\//g, "_");
    expect(await verifySessionToken(env, `${header}.${forged}.${signature}`)).toBeNull();
  });

  it("expire after 30 days", async () => {
    const issued = Date.UTC(2026, 0, 1);
    const token = await issueSessionToken(env, session(USER, 1, issued), issued);
    expect(await verifySessionToken(env, token, issued + 29 * 86_400_000)).not.toBeNull();
    expect(await verifySessionToken(env, token, issued + 31 * 86_400_000)).toBeNull();
  });

  it("end 90 days after sign-in however often they are re-issued", async () => {
    const signedIn = Date.UTC(2026, 0, 1);
    const claims = session(USER, 1, signedIn);
    // Re-issued daily (as requireUser does), the token of day 89 is still valid on day 89.5 ...
    const day89 = signedIn + 89 * 86_400_000;
    const late = await issueSessionToken(env, claims, day89);
    expect(await verifySessionToken(env, late, day89 + 43_200_000)).toMatchObject({
      sessionId: claims.sessionId,
      authTime: claims.authTime,
    });
    // ... and refused past day 90, although it was issued only a day before.
    expect(await verifySessionToken(env, late, signedIn + 90 * 86_400_000 + 1_000)).toBeNull();
    const payload = JSON.parse(atob((late.split(".")[1] as string).replace(/-/g, "+").replace(/_/g, "/")));
    expect(payload.exp).toBe(claims.authTime + 90 * 86_400);
  });

  it("refuse a token without a session id (made before sessions had ids)", async () => {
    const keyring = parseKeyring(env.SESSION_KEYS, "SESSION_KEYS", 32);
    const legacy = await new SignJWT({ sv: 1 })
      .setSubject(USER)
      .setIssuer("titletesterpro")
      .setAudience("titletesterpro:session")
      .setIssuedAt()
      .setExpirationTime("1h")
      .setProtectedHeader({ alg: "HS256", kid: keyring.current })
      .sign(keyring.keys.get(keyring.current) as Uint8Array);
    expect(await verifySessionToken(env, legacy)).toBeNull();
  });

  it("refuse an unknown kid, and a token signed with a key that is not ours", async () => {
    const keyring = parseKeyring(env.SESSION_KEYS, "SESSION_KEYS", 32);
    const ours = keyring.keys.get("1") as Uint8Array;
    const base = () =>
      new SignJWT({ sv: 1 })
        .setSubject(USER)
        .setIssuer("titletesterpro")
        .setAudience("titletesterpro:session")
        .setIssuedAt()
        .setExpirationTime("1h");
    const wrongKid = await base().setProtectedHeader({ alg: "HS256", kid: "7" }).sign(ours);
    expect(await verifySessionToken(env, wrongKid)).toBeNull();
    const stranger = fromBase64Url(JSON.parse(newKeyringSecret()).keys["1"]);
    const wrongKey = await base().setProtectedHeader({ alg: "HS256", kid: "1" }).sign(stranger);
    expect(await verifySessionToken(env, wrongKey)).toBeNull();
    const unsigned = `${btoa('{"alg":"none"}').replace(/=+$/, "")}.${btoa(`{"sub":"${USER}","sv":1}`).replace(/=+$/, "")}.`;
    expect(await verifySessionToken(env, unsigned)).toBeNull();
  });

  it("survive a key rotation: old sessions stay valid, new ones use the new kid", async () => {
    const old = await issueSessionToken(env, session(USER, 1));
    const next = { SESSION_KEYS: rotated(env.SESSION_KEYS as string, "2") };
    expect(await verifySessionToken(next, old)).not.toBeNull();
    const fresh = await issueSessionToken(next, session(USER, 1));
    expect(
      JSON.parse(atob((fresh.split(".")[0] as string).replace(/-/g, "+").replace(/_/g, "/"))),
    ).toMatchObject({ kid: "2" });
    expect(await verifySessionToken(env, fresh)).toBeNull();
  });
});
