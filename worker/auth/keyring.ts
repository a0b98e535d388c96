import { z } from "zod";

/**
 * A set of versioned secret keys, as stored in one Worker secret:
 * `{"current":"2","keys":{"1":"<base64url>","2":"<base64url>"}}`. New material is made with the
 * current key; older keys stay to read what they made, so keys rotate without a flag day.
 */
export interface Keyring {
  current: string;
  keys: ReadonlyMap<string, Uint8Array>;
}

const keyringJson = z.object({
  current: z.string().regex(/^[A-Za-z0-9_-]{1,16}$/),
  keys: z.record(z.string(), z.string().min(1)),
});

/** Decodes base64url (or base64) into bytes. */
export function fromBase64Url(text: string): Uint8Array<ArrayBuffer> {
  const base64 = text.replace(/-/g, "+").replace(/_/g, "/");
  const binary = atob(base64 + "=".repeat((4 - (base64.length % 4)) % 4));
  return Uint8Array.from(binary, (c) => c.charCodeAt(0));
}

const HEX_DIGITS = Array.from({ length: 256 }, (_, byte) => byte.toString(16).padStart(2, "0"));

/** Encodes bytes as lowercase hex, two digits a byte. */
export function toHex(bytes: Uint8Array): string {
  return Array.from(bytes, (byte) => HEX_DIGITS[byte]).join("");
}

/** Encodes bytes as base64url without padding. */
export function toBase64Url(bytes: Uint8Array): string {
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

/** Keyrings already parsed in this isolate, by their secret's name: secrets change only on deploy. */
const parsedKeyrings = new Map<string, { secret: string; minBytes: number; keyring: Keyring }>();

/**
 * Parses a keyring secret; every key must be at least `minBytes` long. Throws when misconfigured.
 * Remembers the last parse per name, since every signed-in request reads the session keyring.
 */
export function parseKeyring(secret: string | undefined, name: string, minBytes: number): Keyring {
  const parsed = parsedKeyrings.get(name);
  if (parsed && parsed.secret === secret && parsed.minBytes === minBytes) return parsed.keyring;
  const keyring = parseKeyringSecret(secret, name, minBytes);
  parsedKeyrings.set(name, { secret: secret as string, minBytes, keyring });
  return keyring;
}

function parseKeyringSecret(secret: string | undefined, name: string, minBytes: number): Keyring {
  if (!secret) throw new Error(`${name} is not set`);
  const parsed = keyringJson.parse(JSON.parse(secret));
  const keys = new Map(Object.entries(parsed.keys).map(([id, value]) => [id, fromBase64Url(value)] as const));
  for (const [id, key] of keys) {
    if (key.length < minBytes) throw new Error(`${name}: key ${id} is shorter than ${minBytes} bytes`);
  }
  if (!keys.has(parsed.current)) throw new Error(`${name}: the current key ${parsed.current} is missing`);
  return { current: parsed.current, keys };
}

/**
 * HMAC-SHA256 keys imported once per isolate, by the keyring bytes they come from (a keyring is
 * parsed once per secret, so its bytes are the same object on every request). The keys are kept,
 * never the import's promise: a promise awaited by another request than the one that made it
 * resumes in that request's context.
 */
const hmacKeys = new WeakMap<Uint8Array, CryptoKey>();

/** The HMAC-SHA256 key (for signing and verifying) of one key of a keyring. */
export async function hmacKey(raw: Uint8Array): Promise<CryptoKey> {
  const known = hmacKeys.get(raw);
  if (known) return known;
  const hmac = { name: "HMAC", hash: "SHA-256" };
  const key = await crypto.subtle.importKey("raw", raw as Uint8Array<ArrayBuffer>, hmac, false, [
    "sign",
    "verify",
  ]);
  hmacKeys.set(raw, key);
  return key;
}

/** A new keyring secret with one random key: for `npm start`, the tests and operators. */
export function newKeyringSecret(bytes = 32): string {
  return JSON.stringify({
    current: "1",
    keys: { "1": toBase64Url(crypto.getRandomValues(new Uint8Array(bytes))) },
  });
}
