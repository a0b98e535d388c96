import { createSignal } from "solid-js";
import UploadsGrid from "../../components/uploads-grid";
import type { Video } from "../../data/videos";

/** Step 1: the creator's uploads, searchable within what is loaded, a page at a time. */
export default function VideoStep(props: {
  selected: string | undefined;
  reauthShown: boolean;
  onPick: (video: Video) => void;
}) {
  const [filter, setFilter] = createSignal("");
  return (
    <section class="step">
      <h2>Pick a video</h2>
      <label class="field">
        Search your loaded videos
        <input type="search" value={filter()} onInput={(e) => setFilter(e.currentTarget.value)} />
      </label>
      <UploadsGrid
        filter={filter().trim().toLowerCase()}
        selected={props.selected}
        onPick={props.onPick}
        reauthShown={props.reauthShown}
        returnTo="/tests/new"
        skeletons={3}
        moreLabel="Load more videos"
      />
    </section>
  );
}
