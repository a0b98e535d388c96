import { createAsync } from "@solidjs/router";
import { For, Show } from "solid-js";
import { type Billing, type CheckoutChoice, getBilling, openPortal } from "../data/billing";
import { formatDate, planNames } from "../format";
import ActionButton from "./action-button";
import BillingGraceBanner from "./billing-grace-banner";
import { UpgradeButton } from "./billing-plan-button";

/** What each paid plan costs, as the landing page shows it. */
const offers: readonly { plan: CheckoutChoice["plan"]; month: string; year: string }[] = [
  { plan: "pro", month: "$29/month", year: "$290/year" },
  { plan: "authority", month: "$99/month", year: "$990/year" },
];

/** The state of the creator's billing in words. */
function stateLine(b: Billing): string {
  switch (b.state) {
    case "complimentary":
      return "Complimentary plan, set by TitleTesterPro.";
    case "active":
      return b.renewsAt ? `Renews on ${formatDate(b.renewsAt)}.` : "Active.";
    case "canceling":
      return b.endsAt ? `Canceled: ends on ${formatDate(b.endsAt)}, then Free.` : "Canceled.";
    case "grace":
      return b.graceEndsAt ? `Payment failed: Free from ${formatDate(b.graceEndsAt)}.` : "Payment failed.";
    default:
      return b.endsAt ? `No subscription since ${formatDate(b.endsAt)}.` : "No subscription.";
  }
}

/** The account page's billing: plan, status, dates, upgrades (monthly or yearly) and the portal. */
export default function BillingPanel() {
  const billing = createAsync(() => getBilling());
  return (
    <section aria-labelledby="billing">
      <h2 id="billing">Billing</h2>
      <Show when={billing()} fallback={<p class="hint">Loading billing…</p>}>
        {(b) => (
          <>
            <BillingGraceBanner billing={b()} />
            <p>
              <strong>{planNames[b().plan]}</strong> —{" "}
              <span data-testid="billing-state">{stateLine(b())}</span>
            </p>
            <Show when={b().state === "free"}>
              <div class="row">
                <For each={offers}>
                  {(offer) => (
                    <>
                      <UpgradeButton choice={{ plan: offer.plan, interval: "month" }}>
                        {planNames[offer.plan]} · {offer.month}
                      </UpgradeButton>
                      <UpgradeButton choice={{ plan: offer.plan, interval: "year" }}>
                        {planNames[offer.plan]} · {offer.year}
                      </UpgradeButton>
                    </>
                  )}
                </For>
              </div>
            </Show>
            <Show when={b().hasBillingAccount}>
              <ManageBilling />
            </Show>
          </>
        )}
      </Show>
    </section>
  );
}

/** "Manage billing": Stripe's portal for plan changes, cancellation, the card and invoices. */
function ManageBilling() {
  return <ActionButton action={openPortal}>Manage billing</ActionButton>;
}
