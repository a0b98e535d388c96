/** Where "Reconnect Google" leads: Google's consent again, then back to `returnTo`. */
export function reauthHref(returnTo: string): string {
  return `/api/auth/google/start?returnTo=${encodeURIComponent(returnTo)}`;
}

/** Tells the creator Google no longer lets us act for them, with the way back in. */
export default function ReauthBanner(props: { returnTo?: string | undefined }) {
  const href = () => reauthHref(props.returnTo ?? "/videos");
  return (
    <div class="banner" role="alert">
      <p>
        Google no longer lets TitleTesterPro act for your channel, so tests can't rotate titles. Your tests
        paused for this go on once you reconnect.
      </p>
      <a class="button primary" href={href()} rel="external">
        Reconnect Google
      </a>
    </div>
  );
}
