import { type JSX, Show } from "solid-js";
import type { Video } from "../data/videos";
import { formatDate, formatDuration, formatViews } from "../format";

/** One upload: thumbnail with its duration, title, views and publish date; `children` adds actions. */
export default function VideoCard(props: { video: Video; children?: JSX.Element }) {
  const duration = () => formatDuration(props.video.duration);
  const views = () => formatViews(props.video.viewCount);
  return (
    <li class="card">
      <div class="thumb">
        <Show when={props.video.thumbnailUrl}>
          {(src) => <img src={src()} alt="" loading="lazy" width="320" height="180" />}
        </Show>
        <Show when={duration()}>{(d) => <span class="duration">{d()}</span>}</Show>
      </div>
      <h3>{props.video.title}</h3>
      <p class="meta">
        <Show when={views()}>{(v) => <>{v()} · </>}</Show>
        <time datetime={props.video.publishedAt}>{formatDate(props.video.publishedAt)}</time>
      </p>
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
