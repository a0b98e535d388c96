import { A } from "@solidjs/router";
import { Show } from "solid-js";
import ReauthBanner from "../components/reauth-banner";
import UploadsGrid from "../components/uploads-grid";
import { SignedIn } from "../session";

/** The creator's uploads, a page at a time, each leading to the new-test wizard. */
export default function Videos() {
  return (
    <SignedIn>
      {(user) => (
        <main>
          <h1>Your videos</h1>
          <Show when={user.status === "needs_reauth"}>
            <ReauthBanner />
          </Show>
          <UploadsGrid
            reauthShown={user.status === "needs_reauth"}
            skeletons={6}
            moreLabel="Load more"
            action={(video) => (
              // The video goes along as history state: the wizard opens at its titles step.
              <A
                href={`/tests/new?video=${encodeURIComponent(video.videoId)}`}
                state={{ video }}
                class="card-action"
                aria-label={`Test titles for ${video.title}`}
              >
                Test titles
              </A>
            )}
          />
        </main>
      )}
    </SignedIn>
  );
}
