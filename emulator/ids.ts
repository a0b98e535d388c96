/** Random identifiers in the formats Google uses. */

const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/** `length` random base64url characters. */
export function randomId(length: number): string {
  const bytes = crypto.getRandomValues(new Uint8Array(length));
  let out = "";
  for (const b of bytes) out += ALPHABET[b & 63];
  return out;
}

/** An 11-character video id. */
export const newVideoId = () => randomId(11);
/** A `UC…` channel id (24 characters). */
export const newChannelId = () => `UC${randomId(22)}`;
/** The uploads playlist of a channel: `UU` + the channel id without `UC`. */
export const uploadsPlaylistId = (channelId: string) => `UU${channelId.slice(2)}`;
/** A 21-digit Google account id (`sub`). */
export function newSub(): string {
  const digits = crypto.getRandomValues(new Uint8Array(21));
  return `1${Array.from(digits.slice(1), (d) => d % 10).join("")}`;
}
