import { and, eq, isNull } from "drizzle-orm";
import { users } from "../../schema";
import { NotFound } from "../domain/errors";
import type { BillingScope } from "./scope";
import { callStripe, stripeClient } from "./stripe-client";

/**
 * The creator's Stripe customer, created at their first checkout and kept on their row. Two
 * checkouts at once may both create one: the row keeps the first stored, the other stays unused
 * in Stripe (harmless, and the idempotency key makes it rare: Stripe answers a retry with the same
 * customer).
 */
export async function ensureCustomer(scope: BillingScope, userId: string): Promise<string> {
  const { db } = scope;
  const [user] = await db.$primary
    .select({ email: users.email, name: users.name, customer: users.stripeCustomerId })
    .from(users)
    .where(eq(users.id, userId));
  if (!user) throw new NotFound("No such user.");
  if (user.customer) return user.customer;
  const stripe = stripeClient(scope.env);
  const customer = await callStripe(scope.log, "customers.create", () =>
    stripe.customers.create(
      { email: user.email, name: user.name || undefined, metadata: { userId } },
      { idempotencyKey: `customer-${userId}` },
    ),
  );
  const [stored] = await db
    .update(users)
    .set({ stripeCustomerId: customer.id })
    .where(and(eq(users.id, userId), isNull(users.stripeCustomerId)))
    .returning({ customer: users.stripeCustomerId });
  if (stored?.customer) return stored.customer;
  const [again] = await db.$primary
    .select({ customer: users.stripeCustomerId })
    .from(users)
    .where(eq(users.id, userId));
  if (!again?.customer) throw new NotFound("No such user.");
  return again.customer;
}

/** The creator's Stripe customer, or null before their first checkout. */
export async function customerOf(scope: BillingScope, userId: string): Promise<string | null> {
  const [row] = await scope.db.$primary
    .select({ customer: users.stripeCustomerId })
    .from(users)
    .where(eq(users.id, userId));
  return row?.customer ?? null;
}
