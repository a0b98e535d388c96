import { and, eq, isNull, lte, or, sql } from "drizzle-orm";
import { billingSubscriptions } from "../../schema";
import type { Db } from "../db/client";

/** Days a creator keeps their paid plan after a renewal fails, while Stripe retries the card. */
export const GRACE_DAYS = 7;
const GRACE_MS = GRACE_DAYS * 24 * 60 * 60 * 1000;

/**
 * A renewal of `subscriptionId` failed at `failedAt`: the grace period starts, unless one is
 * already running or a newer invoice was paid. Answers the grace period's end when it started
 * now, null otherwise — the one point where a "payment failed" notice belongs.
 */
export async function startGrace(db: Db, subscriptionId: string, failedAt: Date): Promise<Date | null> {
  const [row] = await db
    .update(billingSubscriptions)
    .set({
      paymentFailedAt: failedAt,
      graceEndsAt: new Date(failedAt.getTime() + GRACE_MS),
      updatedAt: new Date(),
    })
    .where(
      and(
        eq(billingSubscriptions.id, subscriptionId),
        isNull(billingSubscriptions.graceEndsAt),
        or(isNull(billingSubscriptions.paidAt), sql`${billingSubscriptions.paidAt} < ${failedAt}`),
      ),
    )
    .returning({ graceEndsAt: billingSubscriptions.graceEndsAt });
  return row?.graceEndsAt ?? null;
}

/**
 * An invoice of `subscriptionId` was paid at `paidAt`: a failure before it is settled, so its grace
 * period ends (a failure reported later than a newer payment is ignored by `startGrace`). Answers
 * whether a grace period was ended.
 */
export async function settleGrace(db: Db, subscriptionId: string, paidAt: Date): Promise<boolean> {
  await db
    .update(billingSubscriptions)
    .set({ paidAt: sql`greatest(${billingSubscriptions.paidAt}, ${paidAt})` })
    .where(eq(billingSubscriptions.id, subscriptionId));
  const ended = await db
    .update(billingSubscriptions)
    .set({ paymentFailedAt: null, graceEndsAt: null, updatedAt: new Date() })
    .where(
      and(eq(billingSubscriptions.id, subscriptionId), lte(billingSubscriptions.paymentFailedAt, paidAt)),
    )
    .returning({ id: billingSubscriptions.id });
  return ended.length > 0;
}
