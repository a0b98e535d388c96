import { type StripeObject, stripeId, unixNow } from "./objects";
import type { ObjectStore } from "./store";

/** The API version the stand-in's events say they were rendered with (the stripe package's). */
export const EVENT_API_VERSION = "2026-11-18.endive";

/** Attempts before a delivery is given up (Stripe tries for three days; locally a minute will do). */
export const MAX_ATTEMPTS = 8;

/** Seconds to wait before retry `attempt` (1, 2, 4, … 60): Stripe's exponential backoff, sped up. */
export function backoffSeconds(attempt: number): number {
  return Math.min(60, 2 ** Math.max(0, attempt - 1));
}

/** The `Stripe-Signature` of a payload: `t=<seconds>,v1=<hex HMAC-SHA256 of "t.payload">`. */
export async function signPayload(secret: string, payload: string, timestamp: number): Promise<string> {
  const key = await crypto.subtle.importKey(
    "raw",
    new TextEncoder().encode(secret),
    { name: "HMAC", hash: "SHA-256" },
    false,
    ["sign"],
  );
  const mac = await crypto.subtle.sign("HMAC", key, new TextEncoder().encode(`${timestamp}.${payload}`));
  const hex = Array.from(new Uint8Array(mac), (b) => b.toString(16).padStart(2, "0")).join("");
  return `t=${timestamp},v1=${hex}`;
}

/** Where events are POSTed (set by the admin API), or null: events are then only listed. */
export function webhookUrl(sql: SqlStorage): string | null {
  return (
    sql.exec<{ value: string }>("SELECT value FROM config WHERE key = 'webhook_url'").toArray()[0]?.value ??
    null
  );
}

/**
 * Records an event about `object` (stored as an `event` object, listed by `GET /v1/events`) and,
 * when a webhook URL is set, queues its delivery in the order of emission.
 */
export function emitEvent(
  sql: SqlStorage,
  store: ObjectStore,
  type: string,
  object: StripeObject,
  nowMs = Date.now(),
) {
  const url = webhookUrl(sql);
  const event: StripeObject = {
    id: stripeId("evt"),
    object: "event",
    api_version: EVENT_API_VERSION,
    created: unixNow(nowMs),
    type,
    data: { object },
    livemode: false,
    pending_webhooks: url ? 1 : 0,
    request: { id: null, idempotency_key: null },
  };
  store.put(event);
  if (url) {
    const seq = sql.exec<{ n: number }>("SELECT COUNT(*) AS n FROM deliveries").one().n;
    sql.exec(
      "INSERT INTO deliveries (event_id, seq, url, next_ms) VALUES (?, ?, ?, ?)",
      event.id,
      seq,
      url,
      nowMs,
    );
  }
  return event;
}

type DueDelivery = { event_id: string; url: string; attempts: number };

/**
 * Sends every due delivery, oldest first, each signed at the moment it is sent; a non-2xx answer
 * or a network failure is retried after `backoffSeconds`, up to `MAX_ATTEMPTS`. Answers when the
 * next delivery falls due (ms), or null when none is left.
 */
export async function deliverDue(sql: SqlStorage, store: ObjectStore, secret: string, nowMs: number) {
  const due = sql
    .exec<DueDelivery>(
      "SELECT event_id, url, attempts FROM deliveries WHERE delivered = 0 AND next_ms <= ? ORDER BY seq",
      nowMs,
    )
    .toArray();
  for (const d of due) {
    const event = store.get(d.event_id, "event");
    if (!event) continue;
    const payload = JSON.stringify(event, null, 2);
    let status: number | null = null;
    let error: string | null = null;
    try {
      const res = await fetch(d.url, {
        method: "POST",
        headers: {
          "content-type": "application/json; charset=utf-8",
          "stripe-signature": await signPayload(secret, payload, unixNow()),
          "user-agent": "Stripe/1.0 (+https://stripe.com/docs/webhooks)",
        },
        body: payload,
      });
      status = res.status;
      await res.body?.cancel();
    } catch (err) {
      error = err instanceof Error ? err.message : String(err);
    }
    const attempts = d.attempts + 1;
    const ok = status !== null && status >= 200 && status < 300;
    const givenUp = !ok && attempts >= MAX_ATTEMPTS;
    sql.exec(
      "UPDATE deliveries SET attempts = ?, delivered = ?, last_status = ?, last_error = ?, next_ms = ? WHERE event_id = ?",
      attempts,
      ok ? 1 : givenUp ? 2 : 0,
      status,
      error,
      Date.now() + backoffSeconds(attempts) * 1000,
      d.event_id,
    );
  }
  const next = sql
    .exec<{ next: number | null }>("SELECT MIN(next_ms) AS next FROM deliveries WHERE delivered = 0")
    .one().next;
  return next ?? null;
}

/** Every delivery, in emission order, for the admin API (`delivered`: 0 pending, 1 done, 2 given up). */
export function listDeliveries(sql: SqlStorage) {
  return sql
    .exec<{
      event_id: string;
      url: string;
      attempts: number;
      delivered: number;
      last_status: number | null;
      last_error: string | null;
    }>("SELECT event_id, url, attempts, delivered, last_status, last_error FROM deliveries ORDER BY seq")
    .toArray()
    .map((d) => ({
      eventId: d.event_id,
      url: d.url,
      attempts: d.attempts,
      state: d.delivered === 1 ? "delivered" : d.delivered === 2 ? "failed" : "pending",
      lastStatus: d.last_status,
      lastError: d.last_error,
    }));
}
