import Stripe from "stripe";
import { Unavailable } from "../domain/errors";
import { errorFields, type Logger } from "../logging/logger";
import { type BillingVars, billingSecret, stripeHost } from "./config";

/**
 * The Stripe client inside the Worker: fetch for HTTP and SubtleCrypto for signatures (no Node
 * `http` or `crypto`), pointed at api.stripe.com or the local stand-in.
 */
export function stripeClient(vars: BillingVars): Stripe {
  return new Stripe(billingSecret(vars, "STRIPE_SECRET_KEY"), {
    ...stripeHost(vars),
    httpClient: Stripe.createFetchHttpClient(),
    // One retry at most: a checkout the user waits on should fail fast; webhooks are Stripe's to retry.
    maxNetworkRetries: 1,
    timeout: 15_000,
  });
}

/** Verifies signatures with the Workers' SubtleCrypto (the default provider needs Node's crypto). */
export const webCrypto = Stripe.createSubtleCryptoProvider();

/**
 * Runs one Stripe call: a failure there (network, Stripe's 5xx, a refusal of our own request) is
 * Unavailable to the user — a 503 with a clear message, never a 500 — with the reason logged.
 */
export async function callStripe<T>(log: Logger, what: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    log.error("stripe.call_failed", { what, ...errorFields(err) });
    throw new Unavailable("Stripe did not answer. Try again in a moment.");
  }
}
