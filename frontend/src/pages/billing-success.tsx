import { A, createAsync } from "@solidjs/router";
import { Match, Switch } from "solid-js";
import { getBilling } from "../data/billing";
import { pollWhileVisible } from "../data/poll";
import { planNames } from "../format";

/** How often the page asks whether Stripe's webhook has landed. */
const POLL_MS = 1500;

/**
 * Where Stripe's checkout returns. The redirect proves nothing: the page waits until the API says
 * the plan changed, which only Stripe's webhook does. A plan change ends every session (so no
 * session keeps the old plan's limits): when the API stops knowing us, the creator signs in again
 * and comes back here to see the new plan.
 */
export default function BillingSuccess() {
  const billing = createAsync(() => getBilling());
  const landed = () => {
    const b = billing();
    return !!b && b.plan !== "free" && b.state !== "free";
  };
  pollWhileVisible(
    () => getBilling.key,
    POLL_MS,
    () => billing() !== null && !landed(),
  );
  const signIn = `/api/auth/google/start?returnTo=${encodeURIComponent("/billing/success")}`;
  return (
    <main>
      <h1>Subscription</h1>
      <Switch>
        <Match when={billing() === undefined}>
          <p aria-busy="true">Checking your payment…</p>
        </Match>
        <Match when={billing() === null}>
          <div role="status">
            <p>
              Your plan has changed. For your safety that signs you out everywhere: sign in again to see it.
            </p>
            <a class="button primary" href={signIn} rel="external">
              Sign in again
            </a>
          </div>
        </Match>
        <Match when={landed() && billing()}>
          {(b) => (
            <div role="status">
              <p>Payment confirmed by Stripe: you're on {planNames[b().plan]}.</p>
              <p>
                <A href="/dashboard">Go to your dashboard</A> · <A href="/account">See your account</A>
              </p>
            </div>
          )}
        </Match>
        <Match when={billing()}>
          <p role="status" aria-live="polite">
            Waiting for Stripe to confirm your payment… This page updates by itself.
          </p>
        </Match>
      </Switch>
    </main>
  );
}
