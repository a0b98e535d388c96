import type { Context } from "hono";
import { Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import { startCheckout } from "../billing/checkout";
import { checkoutInput, keepInput } from "../billing/input";
import { keepRunning } from "../billing/keep";
import { openPortal } from "../billing/portal";
import type { BillingScope } from "../billing/scope";
import { billingStatus } from "../billing/status";
import { handleEvent, verifiedEvent } from "../billing/webhook";
import type { AppEnv } from "../context";
import { AppError } from "../errors";
import { appOrigin } from "../middleware/origin";
import { userOf } from "../middleware/session";
import { validate } from "../validation";

function scope(c: Context<AppEnv>): BillingScope {
  return { env: c.env, db: c.var.db(), log: c.var.log };
}

/**
 * The creator's billing (mounted behind `requireUser`): the status, a Checkout to subscribe, the
 * Customer Portal to change or cancel, and the choice of tests to keep after a downgrade.
 */
export const billingRoutes = new Hono<AppEnv>()
  .get("/billing", async (c) => {
    const status = await billingStatus(c.var.db(), userOf(c).id);
    if (!status) throw new AppError("unauthenticated", "Sign in to continue.");
    return c.json(status);
  })
  .post("/billing/checkout", validate("json", checkoutInput), async (c) => {
    return c.json(await startCheckout(scope(c), userOf(c).id, c.req.valid("json"), appOrigin(c)));
  })
  .post("/billing/portal", async (c) => {
    return c.json(await openPortal(scope(c), userOf(c).id, appOrigin(c)));
  })
  .post("/billing/keep", validate("json", keepInput), async (c) => {
    return c.json(await keepRunning(scope(c), userOf(c), c.req.valid("json").testIds));
  });

/** Stripe's events are small; anything larger is not Stripe's. */
const WEBHOOK_MAX_BYTES = 256 * 1024;

/**
 * Stripe's webhook, `POST /api/billing/webhook`. Mounted ahead of the API's middleware: Stripe
 * carries no session and no Origin, and its few addresses must not share one per-IP budget; the
 * signature over the raw body is the gate (a bad or stale one is a 400 and changes nothing).
 */
export const billingWebhookRoutes = new Hono<AppEnv>().post(
  "/",
  bodyLimit({
    maxSize: WEBHOOK_MAX_BYTES,
    onError: () => {
      throw new AppError("payload_too_large", "A Stripe event is never this large.");
    },
  }),
  async (c) => {
    const body = await c.req.text();
    const event = await verifiedEvent(c.env, body, c.req.header("stripe-signature"));
    const outcome = await handleEvent(scope(c), event);
    c.var.log.info("billing.webhook", { type: event.type, ...outcome });
    return c.json({ received: true, duplicate: !outcome.applied });
  },
);
