import type { Reply } from "../reply";
import type { Price, StripeObject, Subscription } from "./objects";

const html = (s: string) =>
  s.replace(
    /[&<>"']/g,
    (ch) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[ch] ?? ch,
  );

const dollars = (cents: number) => `$${(cents / 100).toFixed(cents % 100 === 0 ? 0 : 2)}`;

const date = (seconds: number) => new Date(seconds * 1000).toISOString().slice(0, 10);

function page(title: string, body: string, status = 200): Reply {
  return {
    status,
    contentType: "text/html; charset=utf-8",
    body: `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${html(title)}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>body{font:16px system-ui,sans-serif;max-width:32rem;margin:2rem auto;padding:0 1rem;color:#1a1a1a}
label{display:block;margin:1rem 0 .25rem}input{font:inherit;padding:.5rem;width:100%;box-sizing:border-box}
button{font:inherit;padding:.5rem 1rem;margin:.5rem .5rem 0 0;cursor:pointer}.error{color:#a00}
.note{color:#555;font-size:.9rem}</style></head><body><main>${body}</main></body></html>`,
  };
}

/** A page for what cannot be shown (an expired or unknown session). */
export function problemPage(message: string, status: number): Reply {
  return page("Stripe (local stand-in)", `<h1>Something went wrong</h1><p>${html(message)}</p>`, status);
}

/** The hosted checkout: what is bought, and a card number field. */
export function checkoutPage(session: StripeObject, price: Price, error?: string): Reply {
  const plan = html(String(price.nickname ?? price.id));
  return page(
    "Pay — Stripe Checkout (local stand-in)",
    `<h1>Subscribe to ${plan}</h1>
<p>${dollars(price.unit_amount)} per ${price.recurring.interval}</p>
<form method="post" action="/c/pay/${html(session.id)}">
<label for="card">Card number</label>
<input id="card" name="card" inputmode="numeric" autocomplete="cc-number" required placeholder="4242 4242 4242 4242">
${error ? `<p class="error" role="alert">${html(error)}</p>` : ""}
<button type="submit">Subscribe</button></form>
<p class="note">Local Stripe stand-in: 4242 4242 4242 4242 pays; 4000 0000 0000 0341 pays now and fails to renew.</p>
<p><a href="${html(String(session.cancel_url))}">Back</a></p>`,
    error ? 402 : 200,
  );
}

/** The hosted Customer Portal: the subscription, other plans to switch to, cancellation. */
export function portalPage(session: StripeObject, sub: Subscription | undefined, prices: Price[]): Reply {
  const returnUrl = html(String(session.return_url));
  const action = `/p/session/${html(session.id)}`;
  if (!sub) {
    return page(
      "Billing — Stripe (local stand-in)",
      `<h1>Billing</h1><p>No active subscription.</p><p><a href="${returnUrl}">Return to TitleTesterPro</a></p>`,
    );
  }
  const item = sub.items.data[0] as Subscription["items"]["data"][number];
  const current = item.price;
  const status = sub.cancel_at_period_end
    ? `Cancels on ${date(item.current_period_end)}`
    : sub.status === "past_due"
      ? "Payment failed: update your card"
      : `Renews on ${date(item.current_period_end)}`;
  const switches = prices
    .filter((p) => p.id !== current.id)
    .map(
      (p) =>
        `<form method="post" action="${action}"><input type="hidden" name="action" value="switch"><input type="hidden" name="price" value="${html(p.id)}"><button type="submit">Switch to ${html(String(p.nickname ?? p.id))} — ${dollars(p.unit_amount)}/${p.recurring.interval}</button></form>`,
    )
    .join("");
  const cancel = sub.cancel_at_period_end
    ? `<form method="post" action="${action}"><input type="hidden" name="action" value="resume"><button type="submit">Don't cancel</button></form>`
    : `<form method="post" action="${action}"><input type="hidden" name="action" value="cancel"><button type="submit">Cancel plan</button></form>`;
  return page(
    "Billing — Stripe (local stand-in)",
    `<h1>Billing</h1>
<h2>Current plan</h2><p><strong>${html(String(current.nickname ?? current.id))}</strong>, ${dollars(current.unit_amount)} per ${current.recurring.interval}</p>
<p id="status">${html(status)}</p>
<h2>Change plan</h2>${switches}
<h2>Cancel</h2>${cancel}
<p><a href="${returnUrl}">Return to TitleTesterPro</a></p>`,
  );
}
