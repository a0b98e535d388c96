import { z } from "zod";
import { type NotificationKind, pauseReasons } from "./kinds";

const uuid = z.uuid();

/**
 * Every event that mails a creator, as it travels on the queue. Test events name the test (its
 * owner is looked up when the mail is sent); account events name the user.
 * `occurrence` tells apart two pauses of one test (the rotator's event number; billing's own id).
 */
export const notificationEvent = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("test_winner"), testId: uuid }),
  z.object({ kind: z.literal("test_inconclusive"), testId: uuid }),
  z.object({
    kind: z.literal("test_paused"),
    testId: uuid,
    reason: z.enum(pauseReasons),
    occurrence: z.string().min(1).max(100).optional(),
    /** A quota wait: when the test goes on (ISO). */
    until: z.iso.datetime().optional(),
  }),
  z.object({
    kind: z.literal("payment_failed"),
    userId: uuid,
    /** When the plan falls back to free unless the payment goes through (ISO, or ms, or a Date). */
    graceEndsAt: z.union([z.iso.datetime(), z.number().int().positive(), z.date()]),
  }),
  z.object({
    kind: z.literal("weekly_digest"),
    userId: uuid,
    /** The ISO week it covers, `2026-W19`. */
    week: z.string().regex(/^\d{4}-W\d{2}$/),
  }),
]);

/** An event as producers hand it to `notify` (billing may give `graceEndsAt` as a Date or ms). */
export type NotificationEventInput = z.input<typeof notificationEvent>;

/** An event as it travels and is sent: `graceEndsAt` always an ISO string. */
export type NotificationEvent =
  | Exclude<z.output<typeof notificationEvent>, { kind: "payment_failed" }>
  | { kind: "payment_failed"; userId: string; graceEndsAt: string };

/** Checks an event and puts its times in one form (throws a ZodError for a malformed one). */
export function normalizeEvent(input: NotificationEventInput): NotificationEvent {
  const event = notificationEvent.parse(input);
  if (event.kind !== "payment_failed") return event;
  return { ...event, graceEndsAt: new Date(event.graceEndsAt).toISOString() };
}

/**
 * The event's key: the same event always gets the same key, so its `notifications` row (and the
 * provider's idempotency key) stop a second mail whichever way the event came twice.
 */
export function eventKey(event: NotificationEvent): string {
  switch (event.kind) {
    case "test_winner":
      return `test:${event.testId}:winner`;
    case "test_inconclusive":
      return `test:${event.testId}:inconclusive`;
    case "test_paused":
      return `test:${event.testId}:paused:${event.reason}${event.occurrence ? `:${event.occurrence}` : ""}`;
    case "payment_failed":
      return `user:${event.userId}:payment_failed:${event.graceEndsAt}`;
    case "weekly_digest":
      return `user:${event.userId}:digest:${event.week}`;
  }
}

/** The preference that governs an event. */
export const kindOf = (event: NotificationEvent): NotificationKind => event.kind;

/**
 * The key a delivery is claimed under: the event's own, except for a lost Google grant, which
 * pauses every live test of the creator at once: one mail a day (UTC) tells them, not one per test.
 */
export function deliveryKey(event: NotificationEvent, userId: string, now = Date.now()): string {
  if (event.kind === "test_paused" && event.reason === "google_access_lost")
    return `user:${userId}:google_access_lost:${new Date(now).toISOString().slice(0, 10)}`;
  return eventKey(event);
}
