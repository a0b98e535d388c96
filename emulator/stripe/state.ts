import { DurableObject } from "cloudflare:workers";
import { migrateSqlite } from "../../worker/durable/sqlite-migrations";
import type { EmulatorEnv } from "../env";
import { json, type Reply } from "../reply";
import { type Cycle, cancelNow, cardBehaviour, renew, subscribe, update } from "./billing-cycle";
import { invalidParam, missing, noSuch, stripeError } from "./errors";
import { type Form, field, metadataOf } from "./form";
import { type Price, type StripeObject, type Subscription, seededPrices, stripeId, unixNow } from "./objects";
import { checkoutPage, portalPage, problemPage } from "./pages";
import { STRIPE_MIGRATIONS, STRIPE_TABLES } from "./schema";
import { ObjectStore } from "./store";
import { deliverDue, emitEvent, listDeliveries } from "./webhooks";

/** A list request's paging (`limit`, `starting_after`) and filters, as query strings. */
export type ListQuery = Record<string, string | undefined>;

/** Where a hosted page sends the browser next, or the page to show again. */
export type PageAnswer = { redirect: string } | Reply;

/** The emulator-only webhook secret when none is configured (the app's local one). */
const DEFAULT_WEBHOOK_SECRET = "whsec_emulator_only_titletesterpro";

/**
 * The Stripe stand-in's state, one instance (`idFromName("stripe")`): customers, prices, checkout
 * and portal sessions, subscriptions, invoices and events in SQLite, and the webhook deliveries,
 * sent by the alarm with retries and backoff.
 */
export class StripeState extends DurableObject<EmulatorEnv> {
  private readonly sql: SqlStorage;
  private readonly store: ObjectStore;

  constructor(ctx: DurableObjectState, env: EmulatorEnv) {
    super(ctx, env);
    this.sql = ctx.storage.sql;
    this.store = new ObjectStore(this.sql);
    ctx.blockConcurrencyWhile(async () => {
      migrateSqlite(this.sql, STRIPE_MIGRATIONS);
      this.seed();
    });
  }

  private seed(): void {
    if (this.sql.exec<{ n: number }>("SELECT COUNT(*) AS n FROM objects WHERE object = 'price'").one().n > 0)
      return;
    for (const price of seededPrices(unixNow())) this.store.put(price);
  }

  private cycle(): Cycle {
    return { sql: this.sql, store: this.store, nowMs: Date.now() };
  }

  /** After a change that emitted events: the alarm sends them. */
  private async deliverSoon(): Promise<void> {
    const pending = this.sql
      .exec<{ n: number }>("SELECT COUNT(*) AS n FROM deliveries WHERE delivered = 0")
      .one().n;
    if (pending > 0) await this.ctx.storage.setAlarm(Date.now());
  }

  override async alarm(): Promise<void> {
    const secret = this.env.STRIPE_WEBHOOK_SECRET || DEFAULT_WEBHOOK_SECRET;
    const next = await deliverDue(this.sql, this.store, secret, Date.now());
    if (next !== null) await this.ctx.storage.setAlarm(Math.max(next, Date.now() + 10));
  }

  /** Answers a repeated `Idempotency-Key` with the first answer, as Stripe does for 24 hours. */
  private idempotent(key: string | undefined, make: () => Reply): Reply {
    if (!key) return make();
    const seen = this.sql
      .exec<{ status: number; body: string }>("SELECT status, body FROM idempotency WHERE key = ?", key)
      .toArray()[0];
    if (seen) return { status: seen.status, body: seen.body, headers: { "idempotent-replayed": "true" } };
    const reply = make();
    if (reply.status < 500)
      this.sql.exec(
        "INSERT INTO idempotency (key, status, body) VALUES (?, ?, ?)",
        key,
        reply.status,
        reply.body,
      );
    return reply;
  }

  private price(id: string): Price | undefined {
    return this.store.get<Price>(id, "price");
  }

  private subscription(id: string): Subscription | undefined {
    return this.store.get<Subscription>(id, "subscription");
  }

  // ---- Customers and prices --------------------------------------------------------------------

  createCustomer(form: Form, idempotencyKey?: string): Reply {
    return this.idempotent(idempotencyKey, () => {
      const customer: StripeObject = {
        id: stripeId("cus"),
        object: "customer",
        created: unixNow(),
        livemode: false,
        email: field(form, "email") ?? null,
        name: field(form, "name") ?? null,
        metadata: metadataOf(form.metadata),
      };
      this.store.put(customer);
      return json(200, customer);
    });
  }

  getCustomer(id: string): Reply {
    const customer = this.store.get(id, "customer");
    return customer ? json(200, customer) : noSuch("customer", id);
  }

  listCustomers(q: ListQuery): Reply {
    return json(
      200,
      this.store.list("customer", "/v1/customers", {
        ...paging(q),
        filter: (c) => !q.email || c.email === q.email,
      }),
    );
  }

  getPrice(id: string): Reply {
    const price = this.price(id);
    return price ? json(200, price) : noSuch("price", id);
  }

  listPrices(q: ListQuery, lookupKeys: string[]): Reply {
    return json(
      200,
      this.store.list<Price>("price", "/v1/prices", {
        ...paging(q),
        filter: (p) => lookupKeys.length === 0 || lookupKeys.includes(p.lookup_key),
      }),
    );
  }

  // ---- Checkout ---------------------------------------------------------------------------------

  createCheckoutSession(form: Form, origin: string, idempotencyKey?: string): Reply {
    return this.idempotent(idempotencyKey, () => {
      if (field(form, "mode") !== "subscription")
        return invalidParam("mode", "The stand-in supports `mode: subscription` only.");
      const successUrl = field(form, "success_url");
      if (!successUrl) return missing("success_url");
      const priceId = field(form, "line_items", 0, "price");
      if (!priceId) return missing("line_items");
      if (!this.price(priceId)) return noSuch("price", priceId, "line_items[0][price]");
      const customer = field(form, "customer");
      if (customer && !this.store.get(customer, "customer")) return noSuch("customer", customer, "customer");
      const id = stripeId("cs_test");
      const created = unixNow();
      const session: StripeObject = {
        id,
        object: "checkout.session",
        created,
        livemode: false,
        mode: "subscription",
        status: "open",
        payment_status: "unpaid",
        customer: customer ?? null,
        customer_email: field(form, "customer_email") ?? null,
        client_reference_id: field(form, "client_reference_id") ?? null,
        metadata: metadataOf(form.metadata),
        subscription: null,
        success_url: successUrl,
        cancel_url: field(form, "cancel_url") ?? null,
        expires_at: created + 24 * 3600,
        url: `${origin}/c/pay/${id}`,
        line_items_price: priceId,
        subscription_metadata: metadataOf((form.subscription_data as Form | undefined)?.metadata),
      };
      this.store.put(session);
      return json(200, publicSession(session));
    });
  }

  getCheckoutSession(id: string): Reply {
    const session = this.store.get(id, "checkout.session");
    return session ? json(200, publicSession(session)) : noSuch("checkout.session", id);
  }

  private openSession(id: string): { session: StripeObject } | { problem: Reply } {
    const session = this.store.get(id, "checkout.session");
    if (!session) return { problem: problemPage("This checkout session does not exist.", 404) };
    if (session.status !== "open" || Number(session.expires_at) < unixNow())
      return { problem: problemPage("This checkout session is no longer open.", 410) };
    return { session };
  }

  /** GET of the hosted checkout page. */
  checkoutPage(id: string): Reply {
    const open = this.openSession(id);
    if ("problem" in open) return open.problem;
    const { session } = open;
    return checkoutPage(session, this.price(String(session.line_items_price)) as Price);
  }

  /**
   * The card is submitted: a test card subscribes (subscription, invoice, then
   * `checkout.session.completed`) and the browser goes to `success_url`; another is declined.
   */
  async payCheckout(id: string, card: string): Promise<PageAnswer> {
    const open = this.openSession(id);
    if ("problem" in open) return open.problem;
    const { session } = open;
    const price = this.price(String(session.line_items_price)) as Price;
    const behaviour = cardBehaviour(card);
    if (!behaviour) return checkoutPage(session, price, "Your card was declined. Try a Stripe test card.");
    const c = this.cycle();
    let customer = session.customer as string | null;
    if (!customer) {
      const made = JSON.parse(
        this.createCustomer({ email: String(session.customer_email ?? "") }).body,
      ) as StripeObject;
      customer = made.id;
    }
    const sub = subscribe(
      c,
      customer,
      price,
      behaviour,
      session.subscription_metadata as Record<string, string>,
    );
    const done: StripeObject = {
      ...session,
      status: "complete",
      payment_status: "paid",
      customer,
      subscription: sub.id,
    };
    this.store.put(done);
    emitEvent(this.sql, this.store, "checkout.session.completed", publicSession(done), c.nowMs);
    await this.deliverSoon();
    return { redirect: String(session.success_url).replace("{CHECKOUT_SESSION_ID}", id) };
  }

  // ---- Customer Portal --------------------------------------------------------------------------

  createPortalSession(form: Form, origin: string): Reply {
    const customer = field(form, "customer");
    if (!customer) return missing("customer");
    if (!this.store.get(customer, "customer")) return noSuch("customer", customer, "customer");
    const id = stripeId("bps");
    const session: StripeObject = {
      id,
      object: "billing_portal.session",
      created: unixNow(),
      livemode: false,
      customer,
      return_url: field(form, "return_url") ?? null,
      url: `${origin}/p/session/${id}`,
    };
    this.store.put(session);
    return json(200, session);
  }

  private liveSubscriptionOf(customer: string): Subscription | undefined {
    return this.store.list<Subscription>("subscription", "", {
      customer,
      limit: 100,
      filter: (s) => !s.ended_at,
    }).data[0];
  }

  /** GET of the hosted portal. */
  portalPage(id: string): Reply {
    const session = this.store.get(id, "billing_portal.session");
    if (!session) return problemPage("This portal session does not exist.", 404);
    const prices = this.store
      .list<Price>("price", "", { limit: 100 })
      .data.sort((a, b) => a.unit_amount - b.unit_amount);
    return portalPage(session, this.liveSubscriptionOf(String(session.customer)), prices);
  }

  /** A portal action: `switch` to `price`, `cancel` at the period's end, or `resume`. */
  async portalAction(id: string, action: string, priceId?: string): Promise<PageAnswer> {
    const session = this.store.get(id, "billing_portal.session");
    if (!session) return problemPage("This portal session does not exist.", 404);
    const sub = this.liveSubscriptionOf(String(session.customer));
    if (!sub) return problemPage("There is no subscription to change.", 409);
    const c = this.cycle();
    if (action === "switch") {
      const price = priceId ? this.price(priceId) : undefined;
      if (!price) return problemPage("Unknown plan.", 400);
      update(c, sub, { price });
    } else if (action === "cancel" || action === "resume") {
      update(c, sub, { cancelAtPeriodEnd: action === "cancel" });
    } else {
      return problemPage("Unknown action.", 400);
    }
    await this.deliverSoon();
    return { redirect: `/p/session/${id}` };
  }

  // ---- Subscriptions, invoices, events ----------------------------------------------------------

  getSubscription(id: string): Reply {
    const sub = this.subscription(id);
    return sub ? json(200, sub) : noSuch("subscription", id);
  }

  listSubscriptions(q: ListQuery): Reply {
    const status = q.status ?? "all_but_canceled";
    return json(
      200,
      this.store.list<Subscription>("subscription", "/v1/subscriptions", {
        ...paging(q),
        customer: q.customer,
        filter: (s) =>
          status === "all" || (status === "all_but_canceled" ? s.status !== "canceled" : s.status === status),
      }),
    );
  }

  async updateSubscription(id: string, form: Form): Promise<Reply> {
    const sub = this.subscription(id);
    if (!sub) return noSuch("subscription", id);
    if (sub.status === "canceled")
      return stripeError(
        400,
        "A canceled subscription can only update its cancellation_details and metadata.",
      );
    const priceId = field(form, "items", 0, "price");
    const price = priceId ? this.price(priceId) : undefined;
    if (priceId && !price) return noSuch("price", priceId, "items[0][price]");
    const cancel = field(form, "cancel_at_period_end");
    if (cancel !== undefined && cancel !== "true" && cancel !== "false")
      return invalidParam("cancel_at_period_end", "Invalid boolean: cancel_at_period_end");
    const next = update(this.cycle(), sub, {
      price,
      cancelAtPeriodEnd: cancel === undefined ? undefined : cancel === "true",
      metadata: metadataOf(form.metadata),
    });
    await this.deliverSoon();
    return json(200, next);
  }

  async cancelSubscription(id: string): Promise<Reply> {
    const sub = this.subscription(id);
    if (!sub) return noSuch("subscription", id);
    if (sub.status === "canceled") return json(200, sub);
    const done = cancelNow(this.cycle(), sub);
    await this.deliverSoon();
    return json(200, done);
  }

  getInvoice(id: string): Reply {
    const invoice = this.store.get(id, "invoice");
    return invoice ? json(200, invoice) : noSuch("invoice", id);
  }

  getEvent(id: string): Reply {
    const event = this.store.get(id, "event");
    return event ? json(200, event) : noSuch("event", id);
  }

  listEvents(q: ListQuery): Reply {
    return json(
      200,
      this.store.list("event", "/v1/events", { ...paging(q), filter: (e) => !q.type || e.type === q.type }),
    );
  }

  // ---- Admin (/__emulator/stripe) ---------------------------------------------------------------

  /** Sets (or clears, with null) the URL events are POSTed to. */
  setWebhook(url: string | null): Reply {
    if (url)
      this.sql.exec(
        "INSERT INTO config (key, value) VALUES ('webhook_url', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        url,
      );
    else this.sql.exec("DELETE FROM config WHERE key = 'webhook_url'");
    return json(200, { url });
  }

  /**
   * Moves a subscription to its renewal now: paid or failed as its card says (billing-cycle.ts).
   * Stripe renews a period after the invoice it follows; brought forward to now, the renewal could
   * share that invoice's second, and apps order a payment and a failure by their events' seconds.
   * So it waits out the latest invoice's second first.
   */
  async renew(id: string): Promise<Reply> {
    const latest = this.subscription(id)?.latest_invoice;
    const invoice = latest ? this.store.get(latest, "invoice") : undefined;
    const waitMs = invoice ? ((invoice.created as number) + 1) * 1000 - Date.now() : 0;
    if (waitMs > 0) await new Promise((resolve) => setTimeout(resolve, waitMs));
    const sub = this.subscription(id);
    if (!sub) return noSuch("subscription", id);
    if (sub.status === "canceled") return stripeError(400, "This subscription is canceled.");
    const next = renew(this.cycle(), sub);
    await this.deliverSoon();
    return json(200, next);
  }

  deliveries(): Reply {
    return json(200, { deliveries: listDeliveries(this.sql) });
  }

  reset(): Reply {
    for (const table of STRIPE_TABLES) this.sql.exec(`DELETE FROM ${table}`);
    this.seed();
    return json(200, { reset: true });
  }
}

/** A list's paging from the query: `limit` (1–100) and `starting_after`. */
function paging(q: ListQuery): { limit: number; startingAfter?: string } {
  const limit = Number(q.limit ?? 10);
  return {
    limit: Number.isInteger(limit) ? Math.min(100, Math.max(1, limit)) : 10,
    startingAfter: q.starting_after,
  };
}

/** A checkout session as the API shows it (without the stand-in's own bookkeeping fields). */
function publicSession(session: StripeObject): StripeObject {
  const { line_items_price: _p, subscription_metadata: _m, ...shown } = session;
  return shown as StripeObject;
}
