/** Tells the creator Google no longer lets us act for them, with the way back in. */
export default function ReauthBanner(props: { returnTo?: string }) {
  const href = () => `/api/auth/google/start?returnTo=${encodeURIComponent(props.returnTo ?? "/videos")}`;
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
