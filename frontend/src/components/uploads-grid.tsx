import { createAsync } from "@solidjs/router";
import { createSignal, For, Index, type JSX, Show, Suspense } from "solid-js";
import { ApiError } from "../data/api";
import { getVideos, type Video } from "../data/videos";
import { LoadBoundary } from "./load-error";
import ReauthBanner from "./reauth-banner";
import VideoCard, { VideoCardSkeleton } from "./video-card";

/** How a page of uploads shows; every page of one grid shares it. */
interface GridOptions {
  /** Lower-cased text a title must contain to be shown; empty shows every video. */
  filter?: string;
  /** Makes each card a toggle button that picks its video (the wizard's first step). */
  onPick?: (video: Video) => void;
  /** The picked video's id: its card shows pressed. */
  selected?: string | undefined;
  /** Actions drawn under each card (the videos page's "Test titles"). */
  action?: (video: Video) => JSX.Element;
  /** Whether the page already shows the reconnect banner, so a refused load doesn't repeat it. */
  reauthShown: boolean;
  /** Where "Reconnect Google" comes back to (the reconnect banner's default when absent). */
  returnTo?: string;
  /** How many grey cards stand in for a page while it loads. */
  skeletons: number;
  /** The words of the button that loads the next page. */
  moreLabel: string;
}

/** The creator's uploads as `VideoCard`s, a page at a time: each "Load more" appends the next page. */
export default function UploadsGrid(props: GridOptions) {
  // Page tokens loaded so far; `undefined` is the first page.
  const [tokens, setTokens] = createSignal<(string | undefined)[]>([undefined]);
  return (
    <Index each={tokens()}>
      {(token, i) => (
        <UploadsPage
          options={props}
          token={token()}
          last={i === tokens().length - 1}
          onMore={(next) => setTokens((ts) => [...ts, next])}
        />
      )}
    </Index>
  );
}

function UploadsPage(props: {
  options: GridOptions;
  token: string | undefined;
  last: boolean;
  onMore: (token: string) => void;
}) {
  const page = createAsync(() => getVideos(props.token));
  const filter = () => props.options.filter ?? "";
  const shown = () => (page()?.items ?? []).filter((v) => v.title.toLowerCase().includes(filter()));
  return (
    <LoadBoundary
      keys={getVideos.keyFor(props.token)}
      instead={(err) =>
        err instanceof ApiError && err.code === "needs_reauth" ? (
          <Show when={!props.options.reauthShown}>
            <ReauthBanner returnTo={props.options.returnTo} />
          </Show>
        ) : undefined
      }
    >
      <Suspense
        fallback={
          <ul class="grid" aria-busy="true" aria-label="Loading videos">
            <For each={Array.from({ length: props.options.skeletons })}>{() => <VideoCardSkeleton />}</For>
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
                <For each={shown()}>
                  {(video) => (
                    <VideoCard
                      video={video}
                      onPick={props.options.onPick}
                      pressed={props.options.selected === video.videoId}
                    >
                      {props.options.action?.(video)}
                    </VideoCard>
                  )}
                </For>
              </ul>
              <Show when={filter() && shown().length === 0 && p().items.length > 0}>
                <p class="hint">No loaded video matches. Load more, or change the search.</p>
              </Show>
              <Show when={props.last && p().nextPageToken}>
                {(next) => (
                  <button type="button" class="more" onClick={() => props.onMore(next())}>
                    {props.options.moreLabel}
                  </button>
                )}
              </Show>
            </>
          )}
        </Show>
      </Suspense>
    </LoadBoundary>
  );
}
