import { Show } from "solid-js";

/**
 * A title as it would look on a YouTube card: thumbnail, the title clamped to two lines, channel
 * and views. Creators judge a title by how it reads there, cut off where YouTube cuts it.
 */
export default function TitlePreview(props: {
  title: string;
  thumbnailUrl: string | null | undefined;
  channel: string | null;
  meta: string | null;
}) {
  return (
    <figure class="yt-card" aria-label={`Preview: ${props.title || "empty title"}`}>
      <div class="thumb">
        <Show when={props.thumbnailUrl}>{(src) => <img src={src()} alt="" width="168" height="94" />}</Show>
      </div>
      <div>
        <p class="yt-title">{props.title || "Your title here"}</p>
        <p class="meta">{props.channel ?? "Your channel"}</p>
        <Show when={props.meta}>{(meta) => <p class="meta">{meta()}</p>}</Show>
      </div>
    </figure>
  );
}
