import { fromBase64Url, hmacKey, parseKeyring, toBase64Url } from "../auth/keyring";
import { type NotificationKind, notificationKinds } from "./kinds";

/** What an unsubscribe link turns off: one kind of mail, or every kind. */
export type UnsubscribeScope = NotificationKind | "all";

/** What a valid token says. */
export interface UnsubscribeRequest {
  userId: string;
  scope: UnsubscribeScope;
}

type Keys = { MAIL_LINK_KEYS?: string };

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const SCOPES: readonly string[] = [...notificationKinds, "all"];

/** The signed text: a purpose prefix, so a signature made for anything else never verifies here. */
const signed = (userId: string, scope: string) =>
  new TextEncoder().encode(`ttp-unsubscribe:${userId}:${scope}`);

/**
 * A token for an unsubscribe link that works without signing in: `<kid>.<userId>.<scope>.<mac>`,
 * the MAC an HMAC-SHA256 with the current key of the `MAIL_LINK_KEYS` keyring. It never expires
 * (a mail is read months later); rotating the keyring keeps old keys to verify old links.
 */
export async function unsubscribeToken(env: Keys, userId: string, scope: UnsubscribeScope): Promise<string> {
  const keyring = parseKeyring(env.MAIL_LINK_KEYS, "MAIL_LINK_KEYS", 32);
  const key = await hmacKey(keyring.keys.get(keyring.current) as Uint8Array);
  const mac = new Uint8Array(await crypto.subtle.sign("HMAC", key, signed(userId, scope)));
  return `${keyring.current}.${userId}.${scope}.${toBase64Url(mac)}`;
}

/** What a token asks for, or null when it is malformed, tampered with or signed by no key we hold. */
export async function readUnsubscribeToken(env: Keys, token: string): Promise<UnsubscribeRequest | null> {
  const parts = token.split(".");
  if (parts.length !== 4) return null;
  const [kid, userId, scope, mac] = parts as [string, string, string, string];
  if (!UUID.test(userId) || !SCOPES.includes(scope) || !/^[A-Za-z0-9_-]{43}$/.test(mac)) return null;
  const raw = parseKeyring(env.MAIL_LINK_KEYS, "MAIL_LINK_KEYS", 32).keys.get(kid);
  if (!raw) return null;
  // verify() compares in constant time.
  const ok = await crypto.subtle.verify(
    "HMAC",
    await hmacKey(raw),
    fromBase64Url(mac),
    signed(userId, scope),
  );
  return ok ? { userId, scope: scope as UnsubscribeScope } : null;
}
