/** Tells the creator Google no longer lets us act for them, with the way back in. */
export default function ReauthBanner() {
  return (
    <div class="banner" role="alert">
      <p>Google no longer lets TitleTesterPro act for your channel, so tests can't rotate titles.</p>
      <a class="button" href="/api/auth/google/start?returnTo=/videos" rel="external">
        Reconnect
      </a>
    </div>
  );
}
