import { createAsync } from "@solidjs/router";
import { ErrorBoundary, For, Show, Suspense } from "solid-js";
import { messageOf } from "../data/api";
import { getPlan, type VideoPlan } from "../data/videos";
import { formatInterval, formatLift, formatNumber } from "../format";

const lastDays = (days: number) => `the last ${days === 1 ? "day" : `${days} days`}`;

/** Where the views a plan rests on came from, in a creator's words. */
const sourceWords: Record<VideoPlan["traffic"]["source"], (days: number) => string> = {
  analytics: (days) => `from YouTube Analytics, ${lastDays(days)}`,
  polls: (days) => `from the view counts we read during your tests, ${lastDays(days)}`,
  lifetime: () => "its average since it was published: YouTube Analytics has no days for it yet",
};

/** One effect's wait in words: "about 4 days (likely within 7)". */
function waitWords(effect: VideoPlan["effects"][number], maxDays: number): string {
  if (effect.medianDays === null) return `not likely within ${maxDays} days`;
  const days = (d: number) => (d < 1 ? "less than a day" : `about ${formatNumber(Math.ceil(d))} days`);
  const likely =
    effect.likelyDays === null ? "" : `, very likely within ${formatNumber(Math.ceil(effect.likelyDays))}`;
  return `${days(effect.medianDays)}${likely}`;
}

/**
 * The plan before a test starts: for the chosen video, titles and interval, how long the test
 * needs to find a title +10/+20/+50 % better, and what would make it quicker.
 */
export default function TestPlan(props: { videoId: string; titles: number; intervalMinutes: number }) {
  return (
    <section class="test-plan" aria-labelledby="plan-h" aria-live="polite">
      <h3 id="plan-h">How long this test needs</h3>
      <ErrorBoundary
        fallback={(err) => <p class="hint">No plan for this video right now: {messageOf(err)}</p>}
      >
        <Suspense fallback={<p class="hint">Working out how long this test needs…</p>}>
          <PlanBody {...props} />
        </Suspense>
      </ErrorBoundary>
    </section>
  );
}

function PlanBody(props: { videoId: string; titles: number; intervalMinutes: number }) {
  const plan = createAsync(() => getPlan(props.videoId, props.titles, props.intervalMinutes));
  return (
    <Show when={plan()}>
      {(p) => (
        <>
          <p>
            This video gets about {formatNumber(Math.round(p().viewsPerDay))} views a day (
            {sourceWords[p().traffic.source](p().traffic.dailyViews.length)}). With {p().titles} titles every{" "}
            {formatInterval(p().intervalMinutes)}, a title that earns:
          </p>
          <ul class="plan-effects">
            <For each={p().effects}>
              {(effect) => (
                <li>
                  <strong>{formatLift(effect.lift)}</strong> more views is found in {waitWords(effect, 30)}
                </li>
              )}
            </For>
          </ul>
          <Show when={p().plannedIntervalMinutes !== p().intervalMinutes}>
            <p class="hint">
              Worked out as if the title changed every {formatInterval(p().plannedIntervalMinutes)}, the
              shortest interval real tests use.
            </p>
          </Show>
          <Show when={p().advice.length > 0}>
            <ul class="plan-advice">
              <For each={p().advice}>{(a) => <li data-advice={a.code}>{a.message}</li>}</For>
            </ul>
          </Show>
        </>
      )}
    </Show>
  );
}
