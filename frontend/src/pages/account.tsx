import { createSignal, Show } from "solid-js";
import ActionButton from "../components/action-button";
import BillingPanel from "../components/billing-panel";
import NotificationSettings from "../components/notification-settings";
import ReauthBanner from "../components/reauth-banner";
import { deleteAccount, logout, logoutAll } from "../data/me";
import { formatInterval, planNames } from "../format";
import { SignedIn } from "../session";

/** The creator's plan, channel, sessions, and the way out. */
export default function AccountPage() {
  return (
    <SignedIn>
      {(user) => (
        <main>
          <h1>Account</h1>
          <Show when={user.status === "needs_reauth"}>
            <ReauthBanner returnTo="/account" />
          </Show>
          <section aria-labelledby="plan">
            <h2 id="plan">
              Plan: {planNames[user.plan]} <span class="price">${user.limits.priceUsd}/mo</span>
            </h2>
            <ul>
              <li>
                {user.limits.activeTests === null
                  ? "Unlimited active tests"
                  : `${user.limits.activeTests} active ${user.limits.activeTests === 1 ? "test" : "tests"}`}
              </li>
              <li>Shortest rotation interval: {formatInterval(user.limits.minIntervalMinutes)}</li>
              <Show when={user.limits.quotaPriority === "premium"}>
                <li>Priority on YouTube API quota</li>
              </Show>
            </ul>
          </section>
          <BillingPanel />
          <section aria-labelledby="channel">
            <h2 id="channel">Connected channel</h2>
            <p class="channel">
              <Show when={user.channelAvatarUrl}>
                {(src) => <img src={src()} alt="" width="48" height="48" referrerpolicy="no-referrer" />}
              </Show>
              <span>
                {user.channelTitle ?? "Unnamed channel"}
                <br />
                <span class="hint">{user.email}</span>
              </span>
            </p>
          </section>
          <NotificationSettings />
          <section aria-labelledby="sessions">
            <h2 id="sessions">Sessions</h2>
            <div class="row">
              <ActionButton action={logout}>Sign out</ActionButton>
              <ActionButton action={logoutAll}>Sign out everywhere</ActionButton>
            </div>
          </section>
          <DeleteAccount />
        </main>
      )}
    </SignedIn>
  );
}

function DeleteAccount() {
  const [confirming, setConfirming] = createSignal(false);
  return (
    <section aria-labelledby="delete">
      <h2 id="delete">Delete account</h2>
      <Show
        when={confirming()}
        fallback={
          <button type="button" class="danger" onClick={() => setConfirming(true)}>
            Delete account…
          </button>
        }
      >
        <div class="confirm">
          <p>
            This deletes your account, every test and its results, and signs you out everywhere. It also
            revokes TitleTesterPro's access to your Google account. It can't be undone.
          </p>
          <div class="row">
            <ActionButton action={deleteAccount} class="danger">
              Yes, delete my account
            </ActionButton>
            {/* The button that opened this is gone, so keyboard focus lands on the safe choice. */}
            <button
              type="button"
              ref={(el) => queueMicrotask(() => el.focus())}
              onClick={() => setConfirming(false)}
            >
              Cancel
            </button>
          </div>
        </div>
      </Show>
    </section>
  );
}
