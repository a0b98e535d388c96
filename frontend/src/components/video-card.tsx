import { type JSX, Show } from "solid-js";
import type { Video } from "../data/videos";
import { formatDate, formatDuration, formatViews } from "../format";

/**
 * One upload: thumbnail with its duration, title, views and publish date; `children` adds actions.
 * With `onPick` the whole card is one toggle button (the wizard's video picker), drawn with phrasing
 * elements since a button may hold no heading or block.
 */
export default function VideoCard(props: {
  video: Video;
  onPick?: (video: Video) => void;
  pressed?: boolean;
  children?: JSX.Element;
}) {
  const duration = () => formatDuration(props.video.duration);
  const views = () => formatViews(props.video.viewCount);
  const thumb = () => (
    <>
      <Show when={props.video.thumbnailUrl}>
        {(src) => <img src={src()} alt="" loading="lazy" width="320" height="180" />}
      </Show>
      <Show when={duration()}>{(d) => <span class="duration">{d()}</span>}</Show>
    </>
  );
  const meta = () => (
    <>
      <Show when={views()}>{(v) => <>{v()} · </>}</Show>
      <time datetime={props.video.publishedAt}>{formatDate(props.video.publishedAt)}</time>
    </>
  );
  return (
    <li class="card">
      <Show
        when={props.onPick}
        fallback={
          <>
            <div class="thumb">{thumb()}</div>
            <h3>{props.video.title}</h3>
            <p class="meta">{meta()}</p>
          </>
        }
      >
        {(pick) => (
          <button
            type="button"
            class="pick"
            aria-pressed={props.pressed ?? false}
            onClick={() => pick()(props.video)}
          >
            <span class="thumb">{thumb()}</span>
            <span class="pick-title">{props.video.title}</span>
            <span class="meta">{meta()}</span>
          </button>
        )}
      </Show>
      {props.children}
    </li>
  );
}

/** A grey card the shape of a `VideoCard`, shown while uploads load. */
export function VideoCardSkeleton() {
  return (
    <li class="card skeleton" aria-hidden="true">
      <div class="thumb" />
      <div class="line" />
      <div class="line short" />
    </li>
  );
}
