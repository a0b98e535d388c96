import { type MailEnv, mailApiUrl } from "./endpoint";
import type { MailAccepted, MailMessage } from "./message";

/**
 * The provider refused the mail for good (`422 validation_error`, a bad address…): sending it
 * again cannot help. Anything else that fails (no answer, 429, 5xx, a bad API key) is thrown as a
 * plain Error, so the queue retries it and, past its retries, keeps it as a dead letter.
 */
export class MailRejected extends Error {
  override readonly name = "MailRejected";
  constructor(
    readonly status: number,
    /** Resend's error name (`validation_error`, `missing_required_field`…). */
    readonly errorName: string,
    message: string,
  ) {
    super(message);
  }
}

/** Statuses that say "this request is wrong", as opposed to "not now" or "not you". */
const REJECTED = new Set([400, 422]);

/**
 * Sends one mail through Resend's `POST /emails` (the local mail sink speaks the same API).
 * `idempotencyKey` is the notification's event key: a retry after a crash between "accepted" and
 * "marked sent" gets the first answer back instead of a second mail (Resend keeps keys 24 hours).
 */
export async function sendMail(
  env: MailEnv,
  message: MailMessage,
  idempotencyKey: string,
  fetcher: typeof fetch = fetch,
): Promise<MailAccepted> {
  if (!env.MAIL_API_KEY) throw new Error("MAIL_API_KEY is not set");
  const res = await fetcher(`${mailApiUrl(env)}/emails`, {
    method: "POST",
    headers: {
      authorization: `Bearer ${env.MAIL_API_KEY}`,
      "content-type": "application/json",
      "idempotency-key": idempotencyKey,
    },
    body: JSON.stringify({
      from: message.from,
      to: [message.to],
      subject: message.subject,
      text: message.text,
      html: message.html,
      headers: message.headers,
    }),
  });
  const body = (await res.json().catch(() => null)) as Record<string, unknown> | null;
  if (res.ok && typeof body?.id === "string") return { id: body.id };
  const name = typeof body?.name === "string" ? body.name : "unknown";
  // The provider's message names the field, never the key; the address stays out of it.
  const text = typeof body?.message === "string" ? body.message.slice(0, 200) : `HTTP ${res.status}`;
  if (REJECTED.has(res.status)) throw new MailRejected(res.status, name, text);
  throw new Error(`mail provider answered ${res.status} ${name}: ${text}`);
}
