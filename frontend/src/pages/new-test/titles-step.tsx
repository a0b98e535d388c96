import { Index, Show } from "solid-js";
import { MAX_TITLE_LENGTH, MAX_VARIANTS } from "../../../../worker/title-tests/title-rules";
import TitlePreview from "../../components/title-preview";
import type { Video } from "../../data/videos";
import { codePoints, formatViews, variantName } from "../../format";
import StepForm from "./step-form";

const MAX_CHALLENGERS = MAX_VARIANTS - 1;

/** Step 2: the current title (the control) and up to four challengers, each with a card preview. */
export default function TitlesStep(props: {
  video: Video;
  channel: string | null;
  challengers: string[];
  problems: (string | null)[];
  onChange: (titles: string[]) => void;
  onBack: () => void;
  onNext: () => void;
}) {
  const problem = () => (props.problems.some((p) => p !== null) ? "Fix the titles marked above." : null);
  const set = (i: number, text: string) =>
    props.onChange(props.challengers.map((t, j) => (j === i ? text : t)));
  const meta = () => formatViews(props.video.viewCount);
  return (
    <StepForm legend="Titles" problem={problem()} onBack={props.onBack} onNext={props.onNext}>
      <p class="hint">
        Title A is the video's current title: the others are measured against it. Add 1 to {MAX_CHALLENGERS}{" "}
        more.
      </p>
      <div class="title-field">
        <p>
          <strong>A</strong> (current title) {props.video.title}
        </p>
        <TitlePreview
          title={props.video.title}
          thumbnailUrl={props.video.thumbnailUrl}
          channel={props.channel}
          meta={meta()}
        />
      </div>
      <Index each={props.challengers}>
        {(text, i) => {
          const name = variantName(i + 1);
          const length = () => codePoints(text().trim());
          return (
            <div class="title-field">
              <label for={`title-${name}`}>Title {name}</label>
              <div class="title-input">
                <input
                  id={`title-${name}`}
                  type="text"
                  value={text()}
                  autocomplete="off"
                  aria-invalid={props.problems[i] !== null && text() !== ""}
                  aria-describedby={`count-${name} problem-${name}`}
                  onInput={(e) => set(i, e.currentTarget.value)}
                />
                <Show when={props.challengers.length > 1}>
                  <button
                    type="button"
                    aria-label={`Remove title ${name}`}
                    onClick={() => props.onChange(props.challengers.filter((_, j) => j !== i))}
                  >
                    Remove
                  </button>
                </Show>
              </div>
              <span id={`count-${name}`} class="counter" classList={{ over: length() > MAX_TITLE_LENGTH }}>
                {length()}/{MAX_TITLE_LENGTH}
              </span>
              <Show when={text() !== "" && props.problems[i]}>
                {(p) => (
                  <span id={`problem-${name}`} class="field-error">
                    {p()}
                  </span>
                )}
              </Show>
              <TitlePreview
                title={text().trim()}
                thumbnailUrl={props.video.thumbnailUrl}
                channel={props.channel}
                meta={meta()}
              />
            </div>
          );
        }}
      </Index>
      <Show when={props.challengers.length < MAX_CHALLENGERS}>
        <button type="button" onClick={() => props.onChange([...props.challengers, ""])}>
          Add a title
        </button>
      </Show>
    </StepForm>
  );
}
