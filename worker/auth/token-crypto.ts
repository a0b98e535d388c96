import { fromBase64Url, type Keyring, parseKeyring, toBase64Url } from "./keyring";

/**
 * Encryption at rest of Google refresh tokens: AES-256-GCM with a random 96-bit IV, keyed by the
 * `TOKEN_ENCRYPTION_KEYS` keyring. The stored form names its key (`v<id>.<iv>.<ciphertext>`), so
 * rotating keys leaves old rows readable; the user id is bound in as associated data, so a
 * ciphertext copied onto another user's row does not decrypt.
 */
function keyringOf(env: { TOKEN_ENCRYPTION_KEYS?: string }): Keyring {
  return parseKeyring(env.TOKEN_ENCRYPTION_KEYS, "TOKEN_ENCRYPTION_KEYS", 32);
}

function importKey(raw: Uint8Array): Promise<CryptoKey> {
  return crypto.subtle.importKey("raw", raw.slice(0, 32), "AES-GCM", false, ["encrypt", "decrypt"]);
}

/** Encrypts `plaintext` for `userId` with the current key. */
export async function encryptSecret(
  env: { TOKEN_ENCRYPTION_KEYS?: string },
  userId: string,
  plaintext: string,
): Promise<string> {
  const keyring = keyringOf(env);
  const key = await importKey(keyring.keys.get(keyring.current) as Uint8Array);
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const ciphertext = await crypto.subtle.encrypt(
    { name: "AES-GCM", iv, additionalData: new TextEncoder().encode(userId) },
    key,
    new TextEncoder().encode(plaintext),
  );
  return `v${keyring.current}.${toBase64Url(iv)}.${toBase64Url(new Uint8Array(ciphertext))}`;
}

/** Decrypts what `encryptSecret` made for `userId`; throws if it was tampered with or misplaced. */
export async function decryptSecret(
  env: { TOKEN_ENCRYPTION_KEYS?: string },
  userId: string,
  stored: string,
): Promise<string> {
  const match = /^v([A-Za-z0-9_-]{1,16})\.([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]+)$/.exec(stored);
  if (!match) throw new Error("not an encrypted secret");
  const [, keyId, iv, ciphertext] = match as unknown as [string, string, string, string];
  const raw = keyringOf(env).keys.get(keyId);
  if (!raw) throw new Error(`no key ${keyId} to decrypt with`);
  const plaintext = await crypto.subtle.decrypt(
    { name: "AES-GCM", iv: fromBase64Url(iv), additionalData: new TextEncoder().encode(userId) },
    await importKey(raw),
    fromBase64Url(ciphertext),
  );
  return new TextDecoder().decode(plaintext);
}
