import { useSubmission } from "@solidjs/router";
import { type JSX, Show } from "solid-js";
import { messageOf } from "../data/api";
import { type CheckoutChoice, signInToBuy, startCheckout } from "../data/billing";
import { useUser } from "../session";

/**
 * A pricing button: signed in, it starts Stripe Checkout for the plan; signed out, it signs in
 * first and comes back to the checkout.
 */
export default function BillingPlanButton(props: { choice: CheckoutChoice; children: JSX.Element }) {
  const user = useUser();
  const submission = useSubmission(startCheckout);
  return (
    <Show
      when={user()}
      fallback={
        // rel=external: a full-page navigation to the server's redirect, not a client-side route.
        <a class="button" href={signInToBuy(props.choice)} rel="external">
          {props.children}
        </a>
      }
    >
      <form action={startCheckout.with(props.choice)} method="post">
        <button type="submit" class="primary" disabled={submission.pending}>
          {props.children}
        </button>
        <Show when={submission.error}>
          {(err) => (
            <p class="error" role="alert">
              {messageOf(err())}
            </p>
          )}
        </Show>
      </form>
    </Show>
  );
}
