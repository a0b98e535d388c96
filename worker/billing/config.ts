import { z } from "zod";
import type { BillingInterval } from "../../schema/billing";
import type { Plan } from "../auth/plans";
import { baseUrl } from "../config/base-url";
import { Unavailable } from "../domain/errors";

/** The plans sold through Stripe (Free is the absence of a subscription). */
export const paidPlans = ["pro", "authority"] as const;
export type PaidPlan = (typeof paidPlans)[number];

/** The settings billing reads (a subset of the Worker's env). */
export interface BillingVars {
  ENVIRONMENT?: string;
  STRIPE_API_URL?: string;
  STRIPE_SECRET_KEY?: string;
  STRIPE_WEBHOOK_SECRET?: string;
  STRIPE_PRICES?: string;
}

const priceIds = z.object({ month: z.string().min(1), year: z.string().min(1) });

/** `STRIPE_PRICES`: the Stripe price id of each paid plan and interval (docs/BILLING.md). */
const pricesSchema = z.object({ pro: priceIds, authority: priceIds });
export type PriceTable = z.infer<typeof pricesSchema>;

const NOT_CONFIGURED = "Billing is not configured here yet. Try again later.";

/** The price table, or Unavailable (a 503, never a 500) when it is missing or malformed. */
export function priceTable(vars: BillingVars): PriceTable {
  let parsed: unknown;
  try {
    parsed = JSON.parse(vars.STRIPE_PRICES ?? "");
  } catch {
    throw new Unavailable(NOT_CONFIGURED);
  }
  const result = pricesSchema.safeParse(parsed);
  if (!result.success) throw new Unavailable(NOT_CONFIGURED);
  return result.data;
}

/** The plan and interval a Stripe price id sells, or null for a price this app does not know. */
export function planOfPrice(
  table: PriceTable,
  priceId: string,
): { plan: PaidPlan; interval: BillingInterval } | null {
  for (const plan of paidPlans) {
    for (const interval of ["month", "year"] as const) {
      if (table[plan][interval] === priceId) return { plan, interval };
    }
  }
  return null;
}

/** A secret billing needs, or Unavailable when it is not set. */
export function billingSecret(
  vars: BillingVars,
  name: "STRIPE_SECRET_KEY" | "STRIPE_WEBHOOK_SECRET",
): string {
  const value = vars[name]?.trim();
  if (!value) throw new Unavailable(NOT_CONFIGURED);
  return value;
}

/** Stripe's API host, as the `stripe` package takes it. */
export interface StripeHost {
  host: string;
  port: number;
  protocol: "http" | "https";
}

const STRIPE_API = "https://api.stripe.com";

/**
 * Where Stripe lives: api.stripe.com, or locally the emulator's stand-in (`STRIPE_API_URL`).
 * Production ignores the override, as it ignores Google's: a leftover one would send card
 * customers' data elsewhere.
 */
export function stripeHost(vars: BillingVars): StripeHost {
  const url = new URL(baseUrl(vars, vars.STRIPE_API_URL, STRIPE_API));
  const protocol = url.protocol === "http:" ? "http" : "https";
  return { host: url.hostname, port: Number(url.port) || (protocol === "http" ? 80 : 443), protocol };
}

/** Plans ordered by what they allow: a move to a lower rank is a downgrade. */
export const planRank: Record<Plan, number> = { free: 0, pro: 1, authority: 2 };
