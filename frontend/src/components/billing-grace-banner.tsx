import { Show } from "solid-js";
import type { Billing } from "../data/billing";
import { formatDate } from "../format";

/** Tells the creator a renewal failed and when the plan falls back to Free, with the way to fix it. */
export default function BillingGraceBanner(props: { billing: Billing }) {
  return (
    <Show when={props.billing.state === "grace" && props.billing.graceEndsAt}>
      {(ends) => (
        <div class="banner" role="alert">
          <p>
            Your last payment failed. You keep your plan until {formatDate(ends())}; after that your account
            moves to Free and tests beyond its limit are paused. Update your card with Manage billing.
          </p>
        </div>
      )}
    </Show>
  );
}
