import { createEffect, createSignal, For, on, Show } from "solid-js";

/**
 * Where YouTube shows a title, with the width and type size of its title box there: it cuts a
 * title after two lines, so how much survives depends on both. Figures measured from YouTube's
 * own layouts (search results and the home grid, on a 1280-px desktop and a 375-px phone).
 */
const titleLayouts = [
  { key: "search-desktop", name: "Search, desktop", width: 500, size: 18 },
  { key: "home-desktop", name: "Home, desktop", width: 300, size: 16 },
  { key: "search-mobile", name: "Search, phone", width: 190, size: 14 },
  { key: "home-mobile", name: "Home, phone", width: 300, size: 15 },
] as const;

/**
 * A title as it would look on YouTube's cards in search and on the home page, desktop and phone,
 * each cut off where YouTube cuts it (two lines at that layout's width), and saying in words
 * whether it was cut, so the preview needs no eyes.
 */
export default function TitlePreview(props: {
  title: string;
  thumbnailUrl: string | null | undefined;
  channel: string | null;
  meta: string | null;
}) {
  return (
    <figure class="yt-preview" aria-label={`Preview: ${props.title || "empty title"}`}>
      <div class="yt-layouts">
        <For each={titleLayouts}>{(layout) => <LayoutCard layout={layout} {...props} />}</For>
      </div>
    </figure>
  );
}

function LayoutCard(props: {
  layout: (typeof titleLayouts)[number];
  title: string;
  thumbnailUrl: string | null | undefined;
  channel: string | null;
  meta: string | null;
}) {
  const [cut, setCut] = createSignal(false);
  let titleEl: HTMLParagraphElement | undefined;
  // Measured after each change: the browser's line breaking is the truth, not a character count.
  createEffect(
    on(
      () => props.title,
      () => queueMicrotask(() => setCut(titleEl ? titleEl.scrollHeight > titleEl.clientHeight + 1 : false)),
    ),
  );
  return (
    <div class={`yt-card ${props.layout.key}`}>
      <p class="yt-layout-name">
        {props.layout.name}: <span classList={{ cut: cut() }}>{cut() ? "cut off" : "fits"}</span>
      </p>
      <div class="yt-card-body">
        <div class="thumb">
          <Show when={props.thumbnailUrl}>
            {(src) => <img src={src()} alt="" width="320" height="180" />}
          </Show>
        </div>
        <div
          class="yt-text"
          style={{ width: `${props.layout.width}px`, "font-size": `${props.layout.size}px` }}
        >
          <p class="yt-title" ref={titleEl}>
            {props.title || "Your title here"}
          </p>
          <p class="meta">{props.channel ?? "Your channel"}</p>
          <Show when={props.meta}>{(meta) => <p class="meta">{meta()}</p>}</Show>
        </div>
      </div>
    </div>
  );
}
