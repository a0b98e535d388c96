import { A, createAsync, revalidate } from "@solidjs/router";
import { createSignal, ErrorBoundary, For, Index, Show, Suspense } from "solid-js";
import LoadError from "../components/load-error";
import ReauthBanner from "../components/reauth-banner";
import VideoCard, { VideoCardSkeleton } from "../components/video-card";
import { ApiError } from "../data/api";
import { getVideos } from "../data/videos";
import { SignedIn } from "../session";

/** The creator's uploads, a page at a time. */
export default function Videos() {
  // Page tokens loaded so far; `undefined` is the first page.
  const [tokens, setTokens] = createSignal<(string | undefined)[]>([undefined]);
  return (
    <SignedIn>
      {(user) => (
        <main>
          <h1>Your videos</h1>
          <Show when={user.status === "needs_reauth"}>
            <ReauthBanner />
          </Show>
          <Index each={tokens()}>
            {(token, i) => (
              <UploadsPage
                token={token()}
                last={i === tokens().length - 1}
                reauthShown={user.status === "needs_reauth"}
                onMore={(next) => setTokens((ts) => [...ts, next])}
              />
            )}
          </Index>
        </main>
      )}
    </SignedIn>
  );
}

function UploadsPage(props: {
  token: string | undefined;
  last: boolean;
  reauthShown: boolean;
  onMore: (token: string) => void;
}) {
  const page = createAsync(() => getVideos(props.token));
  return (
    <ErrorBoundary
      fallback={(err, reset) => (
        <Show
          when={err instanceof ApiError && err.code === "needs_reauth"}
          fallback={
            <LoadError
              error={err}
              // Refetch first, then re-render: resetting before the new answer would show the old error.
              retry={() => void revalidate(getVideos.keyFor(props.token)).then(reset)}
            />
          }
        >
          <Show when={!props.reauthShown}>
            <ReauthBanner />
          </Show>
        </Show>
      )}
    >
      <Suspense
        fallback={
          <ul class="grid" aria-busy="true" aria-label="Loading videos">
            <For each={[1, 2, 3, 4, 5, 6]}>{() => <VideoCardSkeleton />}</For>
          </ul>
        }
      >
        <Show when={page()}>
          {(p) => (
            <>
              <Show when={p().items.length === 0 && props.token === undefined}>
                <p>No uploads yet. Publish a video on YouTube, then come back.</p>
              </Show>
              <ul class="grid">
                <For each={p().items}>
                  {(video) => (
                    <VideoCard video={video}>
                      {/* The video goes along as history state: the wizard opens at its titles step. */}
                      <A
                        href={`/tests/new?video=${encodeURIComponent(video.videoId)}`}
                        state={{ video }}
                        class="card-action"
                        aria-label={`Test titles for ${video.title}`}
                      >
                        Test titles
                      </A>
                    </VideoCard>
                  )}
                </For>
              </ul>
              <Show when={props.last && p().nextPageToken}>
                {(next) => (
                  <button type="button" class="more" onClick={() => props.onMore(next())}>
                    Load more
                  </button>
                )}
              </Show>
            </>
          )}
        </Show>
      </Suspense>
    </ErrorBoundary>
  );
}
