import { eq } from "drizzle-orm";
import { notifications } from "../../schema";
import type { Db } from "../db/client";
import { MailRejected, sendMail } from "../mail/resend";
import { composeMail } from "./compose";
import { deliveryKey, type NotificationEvent } from "./events";
import { preferencesOf } from "./preferences";

/** How sending one notification ended (the tests read it; the consumer only needs "no throw"). */
export type DeliveryOutcome = "sent" | "already_done" | "opted_out" | "nobody" | "rejected";

/**
 * The `notification.send` job: mails one event's notification at most once. The event's key
 * (`deliveryKey`: a lost grant's is the creator's, once a day) is its `notifications` row: a row already sent (or skipped) ends the job at once. The provider
 * gets the same key as its idempotency key, so a crash after it accepted the mail and before the
 * row was marked sent is answered, on the retry, with the first mail instead of a second one.
 * Preferences are read when the mail goes out, so a creator who just turned a kind off gets none.
 */
export async function sendNotification(db: Db, env: Env, event: NotificationEvent): Promise<DeliveryOutcome> {
  const mail = await composeMail(db, env, event);
  // The test or the account was deleted since: there is no one to tell.
  if (!mail) return "nobody";
  const key = deliveryKey(event, mail.userId);
  const [row] = await db.select().from(notifications).where(eq(notifications.eventKey, key));
  if (row && (row.sentAt !== null || row.skipped !== null)) return "already_done";
  const prefs = await preferencesOf(db, mail.userId);
  if (!prefs[event.kind]) {
    await db
      .insert(notifications)
      .values({ eventKey: key, userId: mail.userId, kind: event.kind, skipped: "opted_out" })
      .onConflictDoUpdate({ target: notifications.eventKey, set: { skipped: "opted_out" } });
    return "opted_out";
  }
  await db
    .insert(notifications)
    .values({ eventKey: key, userId: mail.userId, kind: event.kind })
    .onConflictDoNothing();
  try {
    const accepted = await sendMail(env, mail.message, key);
    await db
      .update(notifications)
      .set({ sentAt: new Date(), providerId: accepted.id })
      .where(eq(notifications.eventKey, key));
    return "sent";
  } catch (err) {
    if (!(err instanceof MailRejected)) throw err;
    // Sending it again cannot help (a malformed address): kept as rejected, not retried.
    await db
      .update(notifications)
      .set({ skipped: `rejected: ${err.errorName}` })
      .where(eq(notifications.eventKey, key));
    return "rejected";
  }
}
