import { useSubmission } from "@solidjs/router";
import { type JSX, Show } from "solid-js";
import { type CheckoutChoice, signInToBuy, startCheckout } from "../data/billing";
import { useUser } from "../session";
import ActionButton from "./action-button";

/**
 * A pricing button: signed in, it starts Stripe Checkout for the plan; signed out, it signs in
 * first and comes back to the checkout.
 */
export default function BillingPlanButton(props: { choice: CheckoutChoice; children: JSX.Element }) {
  const user = useUser();
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
      <UpgradeButton choice={props.choice}>{props.children}</UpgradeButton>
    </Show>
  );
}

/** Starts Stripe Checkout for one plan and interval; shows its own pending state and error. */
export function UpgradeButton(props: { choice: CheckoutChoice; children: JSX.Element }) {
  const submission = useSubmission(
    startCheckout,
    ([c]) => c.plan === props.choice.plan && c.interval === props.choice.interval,
  );
  return (
    <ActionButton action={startCheckout.with(props.choice)} submission={submission} class="primary">
      {props.children}
    </ActionButton>
  );
}
