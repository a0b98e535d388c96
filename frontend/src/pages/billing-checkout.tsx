import { A, useAction, useSearchParams, useSubmission } from "@solidjs/router";
import { createEffect, Show } from "solid-js";
import { messageOf } from "../data/api";
import { checkoutChoiceOf, signInToBuy, startCheckout } from "../data/billing";
import { planNames } from "../format";
import { useUser } from "../session";

/**
 * Where a pricing button leads after sign-in (`/billing/checkout?plan=pro&interval=month`): it
 * starts Stripe Checkout for that choice at once; signed out, it offers the sign-in first.
 */
export default function BillingCheckout() {
  const [search] = useSearchParams();
  const user = useUser();
  const choice = () => checkoutChoiceOf(search.plan, search.interval);
  const start = useAction(startCheckout);
  const submission = useSubmission(startCheckout);
  let started = false;
  createEffect(() => {
    const c = choice();
    if (user() && c && !started) {
      started = true;
      void start(c).catch(() => undefined);
    }
  });
  return (
    <main>
      <h1>Checkout</h1>
      <Show
        when={choice()}
        fallback={
          <p class="error">
            Choose a plan on the <A href="/account">account page</A>.
          </p>
        }
      >
        {(c) => (
          <Show
            when={user()}
            fallback={
              <a class="button primary" href={signInToBuy(c())} rel="external">
                Sign in to buy {planNames[c().plan]}
              </a>
            }
          >
            <Show when={submission.error} fallback={<p aria-busy="true">Taking you to Stripe…</p>}>
              {(err) => (
                <p class="error" role="alert">
                  {messageOf(err())} <A href="/account">Back to your account</A>
                </p>
              )}
            </Show>
          </Show>
        )}
      </Show>
    </main>
  );
}
