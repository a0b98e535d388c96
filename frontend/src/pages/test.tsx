import { A, createAsync, useAction, useParams, useSubmission, useSubmissions } from "@solidjs/router";
import { createSignal, For, Show, Suspense } from "solid-js";
import { controlFrom } from "../../../durable-objects/test-rotator/contract";
import { useNow } from "../clock";
import { Legend, LiftChart, SlotChart, variantColor } from "../components/charts";
import Countdown from "../components/countdown";
import HowWeDecide from "../components/how-we-decide";
import { LoadBoundary } from "../components/load-error";
import { reauthHref } from "../components/reauth-banner";
import StatusBadge from "../components/status-badge";
import TableWrap from "../components/table-wrap";
import TrafficSources from "../components/traffic-sources";
import { messageOf } from "../data/api";
import { pollWhileVisible } from "../data/poll";
import {
  applyWinner,
  changeStatus,
  deleteTest,
  expectedStatus,
  exportUrl,
  getResults,
  getTest,
  type Results,
  type StatusChange,
  type TestDetail,
  type TestStatus,
} from "../data/tests";
import {
  formatDateTime,
  formatInterval,
  formatLiftInterval,
  formatNumber,
  formatProbability,
  variantName,
} from "../format";
import { type MetricDisplay, metricDisplay, verdictOf } from "../metric-words";
import { SignedIn } from "../session";
import { deletableStatuses, eventWords, knowledgeOf, liveStatuses } from "../test-words";

type Variant = Results["analysis"]["variants"][number];

/**
 * Whether a variant's lift means anything yet: it and the control have both had a closed slot.
 * Before that the engine's figures are its priors (a lift of 0 with an interval of ±5000 %).
 */
function isMeasured(variants: readonly Variant[], v: Variant): boolean {
  const control = variants.find((c) => c.variant === 0);
  return v.exposure > 0 && (control?.exposure ?? 0) > 0;
}

/** Statuses from which a title can be kept for good (the API's apply-winner). */
const keepFrom: readonly TestStatus[] = controlFrom.applyWinner;
const resumeFrom: readonly TestStatus[] = controlFrom.resume;

/** One test: live title, charts, results, verdict, timeline, events and what the creator can do. */
export default function TestPage() {
  const params = useParams<{ id: string }>();
  return <SignedIn>{() => <TestView id={params.id} />}</SignedIn>;
}

function TestView(props: { id: string }) {
  const test = createAsync(() => getTest(props.id));
  const results = createAsync(() => getResults(props.id));
  const keys = () => [getTest.keyFor(props.id), getResults.keyFor(props.id)];
  // A test moves on its own (rotations, views): refetch while it is live.
  pollWhileVisible(
    keys,
    10_000,
    // Live, or finished with its last title still being set; a draft or a done test stays still.
    () => {
      const t = test.latest;
      return !t || liveStatuses.includes(t.status) || (t.finishedAt !== null && t.finalVariant === null);
    },
  );
  return (
    <main>
      <LoadBoundary keys={keys()}>
        <Suspense fallback={<TestSkeleton />}>
          <Show when={test()}>{(t) => <TestBody test={t()} results={results()} />}</Show>
        </Suspense>
      </LoadBoundary>
    </main>
  );
}

function TestSkeleton() {
  return (
    <div class="skeleton" role="status" aria-busy="true" aria-label="Loading the test">
      <div class="line" />
      <div class="thumb wide" />
      <div class="line short" />
    </div>
  );
}

function TestBody(props: { test: TestDetail; results: Results | undefined }) {
  const pending = useSubmissions(changeStatus, (input) => input[0] === props.test.id);
  // Optimistic: while a change is on its way the page shows where it leads; when it fails the
  // submission stops pending and the status falls back to the server's (the rollback).
  const status = (): TestStatus => {
    const inFlight = [...pending].reverse().find((s) => s.pending);
    return inFlight ? expectedStatus[inFlight.input[1]] : props.test.status;
  };
  const liveTitle = () => props.test.currentTitle ?? props.test.videoTitleOriginal;
  const now = useNow();
  // Every figure on the page is named by the test's metric, from this one place.
  const words = () => metricDisplay(props.test.metric);
  return (
    <>
      <p class="crumbs">
        <A href="/dashboard">← Your tests</A>
      </p>
      <div class="test-head">
        <div class="thumb">
          <img src={props.test.thumbnailUrl} alt="" width="320" height="180" />
        </div>
        <div>
          <p class="hint">Live title</p>
          <h1 class="live-title">{liveTitle()}</h1>
          <p class="meta">
            <StatusBadge status={status()} /> · every {formatInterval(props.test.intervalMinutes)}
            <Show when={status() === "running"}>
              {" · "}
              <Countdown to={props.test.nextRotationAt} label="next rotation" />
            </Show>
            <Show when={status() === "scheduled" && props.test.startsAt}>
              {(at) => <> · starts {formatDateTime(at())}</>}
            </Show>
          </p>
        </div>
      </div>
      <Actions test={props.test} status={status()} results={props.results} />
      <Show
        when={props.results}
        fallback={
          <div class="skeleton" aria-busy="true">
            <div class="thumb wide" />
          </div>
        }
      >
        {(r) => (
          <>
            <section aria-labelledby="verdict-h">
              <h2 id="verdict-h">Verdict</h2>
              <p class="verdict" classList={{ win: r().analysis.decision === "winner" }}>
                {verdictOf(r().analysis, props.test.metric)}
              </p>
              <Show when={knowledgeOf(r())}>{(words) => <p class="knows">{words()}</p>}</Show>
              <Show when={props.test.finishedAt && props.test.finalVariant !== null}>
                <p>
                  Title {variantName(props.test.finalVariant ?? 0)} is live for good
                  {props.test.finalVariant === 0 ? " (the original title)." : "."}
                </p>
              </Show>
              <Show when={r().analysis.decision === "collecting"}>
                <p class="hint">
                  {r().analysis.blocksComplete < 2
                    ? `${r().analysis.blocksComplete} of at least 2 full rounds done (every title live once per round).`
                    : `${r().analysis.blocksComplete} full rounds done; no title is ahead clearly enough yet.`}{" "}
                  Results firm up as every title gets more time live.
                </p>
              </Show>
              <HowWeDecide noisy={words().noisy} />
            </section>
            <section aria-labelledby="slots-h">
              <h2 id="slots-h">{words().chartTitle}</h2>
              <Legend titles={r().titles} />
              <Show
                when={r().series.length > 0}
                fallback={<p class="hint">The first slot opens at the first rotation.</p>}
              >
                <SlotChart series={r().series} now={now()} words={words()} />
              </Show>
            </section>
            <section aria-labelledby="lift-h">
              <h2 id="lift-h">Lift over the current title</h2>
              <Show
                when={r().analysis.variants.some(
                  (v) => v.variant !== 0 && isMeasured(r().analysis.variants, v),
                )}
                fallback={<p class="hint">Each title needs a full slot live before its lift shows.</p>}
              >
                <LiftChart
                  variants={r().analysis.variants.filter(
                    (v) => v.variant === 0 || isMeasured(r().analysis.variants, v),
                  )}
                  words={words()}
                />
              </Show>
            </section>
            <ResultsTable results={r()} words={words()} />
            <TrafficSources results={r()} />
            <Timeline results={r()} words={words()} />
          </>
        )}
      </Show>
      <section aria-labelledby="events-h">
        <h2 id="events-h">What happened</h2>
        <Show when={props.test.events.length > 0} fallback={<p class="hint">Nothing yet.</p>}>
          <ol class="events">
            <For each={props.test.events}>
              {(e) => (
                <li>
                  <time datetime={e.createdAt}>{formatDateTime(e.createdAt)}</time> {eventWords(e)}
                </li>
              )}
            </For>
          </ol>
        </Show>
      </section>
    </>
  );
}

function ResultsTable(props: { results: Results; words: MetricDisplay }) {
  const columns = () => props.words;
  const measured = (v: Variant) => isMeasured(props.results.analysis.variants, v);
  const titleOf = (v: number) => props.results.titles.find((t) => t.variant === v)?.text ?? "";
  return (
    <section aria-labelledby="table-h">
      <h2 id="table-h">Results</h2>
      <TableWrap labelledBy="table-h">
        <table>
          <thead>
            <tr>
              <th scope="col">Title</th>
              <th scope="col">{columns().count}</th>
              <th scope="col">{columns().exposure}</th>
              <th scope="col">{columns().rate}</th>
              <th scope="col">Lift (95 % interval)</th>
              <th scope="col">Chance best</th>
            </tr>
          </thead>
          <tbody>
            <For each={props.results.analysis.variants}>
              {(v) => (
                <tr>
                  <th scope="row">
                    <span class="swatch" style={{ background: variantColor(v.variant) }} />
                    <strong>{variantName(v.variant)}</strong>{" "}
                    <span class="cell-title">{titleOf(v.variant)}</span>
                  </th>
                  <td>{formatNumber(v.count)}</td>
                  <td>{columns().formatExposure(v.exposure)}</td>
                  <td>{columns().formatRate(v.rate)}</td>
                  <td>
                    {v.variant === 0
                      ? "control"
                      : measured(v)
                        ? formatLiftInterval(v.lift, v.liftLow, v.liftHigh)
                        : "not measured yet"}
                  </td>
                  <td>{measured(v) ? formatProbability(v.pBest) : "—"}</td>
                </tr>
              )}
            </For>
          </tbody>
        </table>
      </TableWrap>
    </section>
  );
}

/** The slots in order: which title was live when, and what it earned by the test's metric. */
function Timeline(props: { results: Results; words: MetricDisplay }) {
  return (
    <section aria-labelledby="timeline-h">
      <h2 id="timeline-h">Rotations ({props.results.series.length})</h2>
      <Show when={props.results.series.length > 0} fallback={<p class="hint">No rotation yet.</p>}>
        <ol class="timeline">
          <For each={[...props.results.series].reverse()}>
            {(slot) => (
              <li>
                <span class="swatch" style={{ background: variantColor(slot.variant) }} />
                <strong>{variantName(slot.variant)}</strong> {formatDateTime(slot.startedAt)}
                {slot.endedAt ? ` – ${formatDateTime(slot.endedAt)}` : " – live now"}
                <Show when={props.words.slotFigures(slot)}>
                  {(figures) => <span class="hint"> · {figures()}</span>}
                </Show>
              </li>
            )}
          </For>
        </ol>
      </Show>
    </section>
  );
}

/** What the creator can do with the test in its current status. */
function Actions(props: { test: TestDetail; status: TestStatus; results: Results | undefined }) {
  const change = useAction(changeStatus);
  const changes = useSubmissions(changeStatus, (input) => input[0] === props.test.id);
  const failed = () => [...changes].reverse().find((s) => !s.pending && s.error);
  const can = (c: StatusChange) =>
    ({
      start: props.status === "draft",
      pause: props.status === "running" || props.status === "scheduled",
      resume: resumeFrom.includes(props.status),
      stop: liveStatuses.includes(props.status),
    })[c];
  const run = (c: StatusChange) => {
    for (const s of changes) if (s.error) s.clear();
    void change(props.test.id, c).catch(() => {});
  };
  const labels: Record<StatusChange, string> = {
    start: "Start",
    pause: "Pause",
    resume: "Resume",
    stop: "Stop",
  };
  return (
    <section aria-label="Actions" class="actions">
      <div class="row">
        <For each={["start", "pause", "resume", "stop"] as StatusChange[]}>
          {(c) => (
            <Show when={can(c)}>
              <button
                type="button"
                class={c === "stop" ? "danger" : undefined}
                // One change at a time: a second one sent before the first is done would be refused.
                disabled={changes.pending}
                onClick={() => run(c)}
              >
                {labels[c]}
              </button>
            </Show>
          )}
        </For>
        <a class="button" href={exportUrl(props.test.id)} rel="external" download="">
          Export CSV
        </a>
        <Show when={deletableStatuses.includes(props.status)}>
          <DeleteButton id={props.test.id} />
        </Show>
      </div>
      <Show when={props.test.status === "needs_reauth"}>
        <p class="hint">
          Google stopped letting us change your titles.{" "}
          <a href={reauthHref(`/tests/${props.test.id}`)} rel="external">
            Reconnect Google
          </a>{" "}
          and the test goes on.
        </p>
      </Show>
      <Show when={failed()}>
        {(s) => (
          <div class="error" role="alert">
            <p>
              Could not {labels[s().input[1]].toLowerCase()} the test: {messageOf(s().error)}
            </p>
            <div class="row">
              <button type="button" onClick={() => run(s().input[1])}>
                Try again
              </button>
              <button type="button" onClick={() => s().clear()}>
                Dismiss
              </button>
            </div>
          </div>
        )}
      </Show>
      {/* Not while a final title is being set (finished, no final variant yet): that is under way. */}
      <Show
        when={keepFrom.includes(props.status) && !(props.test.finishedAt && props.test.finalVariant === null)}
      >
        <KeepTitle test={props.test} results={props.results} />
      </Show>
    </section>
  );
}

/** Leaves one title live for good: the winner when there is one, else the one the creator picks. */
function KeepTitle(props: { test: TestDetail; results: Results | undefined }) {
  const keep = useAction(applyWinner);
  const submission = useSubmission(applyWinner, (input) => input[0] === props.test.id);
  const winner = () => (props.results?.analysis.decision === "winner" ? props.results.analysis.winner : null);
  const [choice, setChoice] = createSignal<number | null>(null);
  const chosen = () => choice() ?? winner() ?? props.test.leaderVariant ?? 0;
  return (
    <form
      class="keep"
      onSubmit={(e) => {
        e.preventDefault();
        submission.clear?.();
        void keep(props.test.id, chosen()).catch(() => {});
      }}
    >
      <fieldset>
        <legend>
          {props.test.finishedAt
            ? "Put a title live for good"
            : winner() !== null
              ? "Keep the winner"
              : "Keep a title and end the test"}
        </legend>
        <For each={props.test.titles}>
          {(t) => (
            <label class="choice">
              <input
                type="radio"
                name="keep"
                value={t.variant}
                checked={chosen() === t.variant}
                onChange={() => setChoice(t.variant)}
              />{" "}
              <strong>{variantName(t.variant)}</strong> {t.text}
              <Show when={winner() === t.variant}>
                <span class="badge badge-completed">winner</span>
              </Show>
            </label>
          )}
        </For>
        <button type="submit" class="primary" disabled={submission.pending}>
          {submission.pending ? "Setting the title…" : `Keep title ${variantName(chosen())}`}
        </button>
      </fieldset>
      <Show when={submission.error}>
        {(err) => (
          <p class="error" role="alert">
            {messageOf(err())} Try again in a moment.
          </p>
        )}
      </Show>
    </form>
  );
}

function DeleteButton(props: { id: string }) {
  const remove = useAction(deleteTest);
  const submission = useSubmission(deleteTest);
  const [confirming, setConfirming] = createSignal(false);
  return (
    <Show
      when={confirming()}
      fallback={
        <button type="button" class="danger" onClick={() => setConfirming(true)}>
          Delete…
        </button>
      }
    >
      <span class="confirm-inline">
        Delete this test and its results?{" "}
        <button
          type="button"
          class="danger"
          disabled={submission.pending}
          onClick={() => void remove(props.id).catch(() => {})}
        >
          Delete
        </button>{" "}
        <button
          type="button"
          ref={(el) => queueMicrotask(() => el.focus())}
          onClick={() => setConfirming(false)}
        >
          Cancel
        </button>
        <Show when={submission.error}>
          {(err) => (
            <span class="field-error" role="alert">
              {messageOf(err())}
            </span>
          )}
        </Show>
      </span>
    </Show>
  );
}
