import { createSignal, type JSX, Show } from "solid-js";

/** A step's form: its fields, the problem that blocks "Next" (shown once tried), Back and Next. */
export default function StepForm(props: {
  legend: string;
  problem: string | null;
  onBack: () => void;
  onNext: () => void;
  children: JSX.Element;
}) {
  const [tried, setTried] = createSignal(false);
  return (
    <form
      class="step"
      onSubmit={(e) => {
        e.preventDefault();
        setTried(true);
        if (!props.problem) props.onNext();
      }}
    >
      <h2>{props.legend}</h2>
      {props.children}
      <Show when={tried() && props.problem}>
        {(p) => (
          <p class="error" role="alert">
            {p()}
          </p>
        )}
      </Show>
      <div class="row">
        <button type="button" onClick={() => props.onBack()}>
          Back
        </button>
        <button type="submit" class="primary">
          Next
        </button>
      </div>
    </form>
  );
}
