import { type Context, Hono } from "hono";
import { z } from "zod";
import type { EmulatorAppEnv, EmulatorEnv } from "../env";
import { json, type Reply, toResponse } from "../reply";
import { answer } from "../routes/answer";
import { stripeError } from "./errors";
import { parseForm } from "./form";
import type { PageAnswer } from "./state";

/** The emulator-only secret key when none is configured (the app's local one). */
const DEFAULT_SECRET_KEY = "sk_test_emulator_only_titletesterpro";

/** The one Stripe stand-in object. */
function stripeState(env: EmulatorEnv) {
  return env.STRIPE.get(env.STRIPE.idFromName("stripe"));
}

/** Stripe's 401s: no key, or not this account's (shown masked, as Stripe does). */
function unauthorized(c: Context<EmulatorAppEnv>): Reply | null {
  const header = c.req.header("authorization") ?? "";
  const key = header.match(/^Bearer\s+(.+)$/i)?.[1]?.trim();
  if (!key)
    return stripeError(
      401,
      "You did not provide an API key. You need to provide your API key in the Authorization header, using Bearer auth (e.g. 'Authorization: Bearer YOUR_SECRET_KEY').",
    );
  if (key !== (c.env.STRIPE_SECRET_KEY || DEFAULT_SECRET_KEY))
    return stripeError(401, `Invalid API Key provided: ${key.slice(0, 8)}****${key.slice(-4)}`);
  return null;
}

type Handler = (c: Context<EmulatorAppEnv>, state: ReturnType<typeof stripeState>) => Promise<Reply> | Reply;

/** A Stripe API route: the secret key is checked first, then the object answers. */
const api = (handler: Handler) => async (c: Context<EmulatorAppEnv>) => {
  const refused = unauthorized(c);
  if (refused) return toResponse(refused);
  return answer(await handler(c, stripeState(c.env)));
};

/** The request's form body, as the `stripe` package sends it. */
const form = async (c: Context<EmulatorAppEnv>) =>
  parseForm(new TextDecoder().decode(await c.req.raw.arrayBuffer()));

/** The query string as a plain record (RPC cannot carry Hono's prototype-less one). */
const query = (c: Context<EmulatorAppEnv>): Record<string, string> => ({ ...c.req.query() });

/** A list parameter, as the stripe package writes it (`lookup_keys[0]=…`) or as `lookup_keys[]=…`. */
function listParam(c: Context<EmulatorAppEnv>, name: string): string[] {
  const params = new URL(c.req.url).searchParams;
  return [...params].filter(([k]) => k.startsWith(`${name}[`)).map(([, v]) => v);
}

const idParam = (c: Context<EmulatorAppEnv>) => c.req.param("id") ?? "";
const origin = (c: Context<EmulatorAppEnv>) => new URL(c.req.url).origin;
const idempotencyKey = (c: Context<EmulatorAppEnv>) => c.req.header("idempotency-key") || undefined;

/** A hosted page's answer: the next page by a 303, or the page itself. */
function page(c: Context<EmulatorAppEnv>, result: PageAnswer): Response {
  return "redirect" in result ? c.redirect(result.redirect, 303) : toResponse(result);
}

const webhookInput = z.object({ url: z.url().nullable() });

/**
 * Stripe's API on its own paths (customers, prices, Checkout and portal sessions, subscriptions,
 * invoices, events), the hosted checkout (`/c/pay/:id`) and portal (`/p/session/:id`) pages, and
 * the stand-in's admin calls under `/__emulator/stripe` (docs/BILLING.md).
 */
export const stripeRoutes = new Hono<EmulatorAppEnv>()
  .post(
    "/v1/customers",
    api(async (c, s) => s.createCustomer(await form(c), idempotencyKey(c))),
  )
  .get(
    "/v1/customers",
    api((c, s) => s.listCustomers(query(c))),
  )
  .get(
    "/v1/customers/:id",
    api((c, s) => s.getCustomer(idParam(c))),
  )
  .get(
    "/v1/prices",
    api((c, s) => s.listPrices(query(c), listParam(c, "lookup_keys"))),
  )
  .get(
    "/v1/prices/:id",
    api((c, s) => s.getPrice(idParam(c))),
  )
  .post(
    "/v1/checkout/sessions",
    api(async (c, s) => s.createCheckoutSession(await form(c), origin(c), idempotencyKey(c))),
  )
  .get(
    "/v1/checkout/sessions/:id",
    api((c, s) => s.getCheckoutSession(idParam(c))),
  )
  .post(
    "/v1/billing_portal/sessions",
    api(async (c, s) => s.createPortalSession(await form(c), origin(c))),
  )
  .get(
    "/v1/subscriptions",
    api((c, s) => s.listSubscriptions(query(c))),
  )
  .get(
    "/v1/subscriptions/:id",
    api((c, s) => s.getSubscription(idParam(c))),
  )
  .post(
    "/v1/subscriptions/:id",
    api(async (c, s) => s.updateSubscription(idParam(c), await form(c))),
  )
  .delete(
    "/v1/subscriptions/:id",
    api((c, s) => s.cancelSubscription(idParam(c))),
  )
  .get(
    "/v1/invoices/:id",
    api((c, s) => s.getInvoice(idParam(c))),
  )
  .get(
    "/v1/events",
    api((c, s) => s.listEvents(query(c))),
  )
  .get(
    "/v1/events/:id",
    api((c, s) => s.getEvent(idParam(c))),
  )
  // Hosted pages (checkout.stripe.com and billing.stripe.com in production).
  .get("/c/pay/:id", async (c) => toResponse(await stripeState(c.env).checkoutPage(idParam(c))))
  .post("/c/pay/:id", async (c) => {
    const body = await c.req.parseBody();
    return page(c, await stripeState(c.env).payCheckout(idParam(c), String(body.card ?? "")));
  })
  .get("/p/session/:id", async (c) => toResponse(await stripeState(c.env).portalPage(idParam(c))))
  .post("/p/session/:id", async (c) => {
    const body = await c.req.parseBody();
    const price = typeof body.price === "string" ? body.price : undefined;
    return page(c, await stripeState(c.env).portalAction(idParam(c), String(body.action ?? ""), price));
  })
  // Admin: where webhooks go, a subscription's renewal now, the deliveries, a reset.
  .put("/__emulator/stripe/webhook", async (c) => {
    const parsed = webhookInput.safeParse(await c.req.json().catch(() => null));
    if (!parsed.success) return c.json({ error: "invalid input", issues: parsed.error.issues }, 400);
    return answer(await stripeState(c.env).setWebhook(parsed.data.url));
  })
  .post("/__emulator/stripe/subscriptions/:id/renew", async (c) =>
    answer(await stripeState(c.env).renew(idParam(c))),
  )
  .get("/__emulator/stripe/deliveries", async (c) => answer(await stripeState(c.env).deliveries()))
  .post("/__emulator/stripe/reset", async (c) => answer(await stripeState(c.env).reset()))
  .get("/__emulator/stripe/health", () => toResponse(json(200, { ok: true })));
