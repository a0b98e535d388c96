import { Navigate, useSearchParams } from "@solidjs/router";
import { For, Show } from "solid-js";
import BillingPlanButton from "../components/billing-plan-button";
import { useUser } from "../session";
import LandingSample from "./landing-sample";

const steps = [
  ["Pick a video", "Choose one of your published uploads."],
  ["Write titles", "Add the titles you want to compare; we rotate them live on a schedule."],
  ["Keep the winner", "We count the views each title earns and tell you which one wins."],
] as const;

const plans = [
  { name: "Free", price: "$0", tests: "1 active test", interval: "4-hour minimum interval" },
  {
    name: "Pro",
    price: "$29/mo",
    tests: "10 active tests",
    interval: "1-hour minimum interval",
    buy: "pro" as const,
  },
  {
    name: "Authority",
    buy: "authority" as const,
    price: "$99/mo",
    tests: "Unlimited active tests",
    interval: "15-minute minimum interval",
    extra: "Priority on YouTube API quota",
  },
];

/** The signed-out front page: what the product does, the plans, and the way in. */
export default function Landing() {
  const user = useUser();
  const [search] = useSearchParams();
  return (
    <Show when={!user()} fallback={<Navigate href="/dashboard" />}>
      <main>
        <h1>A/B test your YouTube titles</h1>
        <p class="lead">
          Rotate a published video's title, count what each one earns, and keep the winner — with statistics
          you can trust.
        </p>
        <Show when={search.signin}>
          <p class="error" role="alert">
            Sign-in didn't finish ({String(search.signin)}). Try again.
          </p>
        </Show>
        {/* rel=external: a full-page navigation to the server's redirect, not a client-side route. */}
        <a class="button primary" href="/api/auth/google/start" rel="external">
          Sign in with Google
        </a>
        <LandingSample />
        <h2>How it works</h2>
        <ol class="steps">
          <For each={steps}>
            {([title, text]) => (
              <li>
                <strong>{title}</strong> {text}
              </li>
            )}
          </For>
        </ol>
        <h2>Plans</h2>
        <ul class="plans">
          <For each={plans}>
            {(plan) => (
              <li class="plan">
                <h3>
                  {plan.name} <span class="price">{plan.price}</span>
                </h3>
                <ul>
                  <li>{plan.tests}</li>
                  <li>{plan.interval}</li>
                  <Show when={plan.extra}>{(extra) => <li>{extra()}</li>}</Show>
                </ul>
                <Show when={plan.buy}>
                  {(buy) => (
                    <BillingPlanButton choice={{ plan: buy(), interval: "month" }}>
                      Choose {plan.name}
                    </BillingPlanButton>
                  )}
                </Show>
              </li>
            )}
          </For>
        </ul>
      </main>
    </Show>
  );
}
