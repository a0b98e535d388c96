import {
  A,
  createAsync,
  revalidate,
  useAction,
  useLocation,
  useSearchParams,
  useSubmission,
} from "@solidjs/router";
import {
  createMemo,
  createSignal,
  ErrorBoundary,
  For,
  Index,
  type JSX,
  Match,
  Show,
  Suspense,
  Switch,
} from "solid-js";
import {
  MAX_TITLE_LENGTH,
  MAX_VARIANTS,
  minimumRunMs,
  titleProblem,
} from "../../../worker/title-tests/title-rules";
import LoadError from "../components/load-error";
import ReauthBanner from "../components/reauth-banner";
import TitlePreview from "../components/title-preview";
import { VideoCardSkeleton } from "../components/video-card";
import { ApiError, messageOf } from "../data/api";
import type { Account } from "../data/me";
import { createTest, type NewTest } from "../data/tests";
import { getVideos, type Video } from "../data/videos";
import {
  codePoints,
  formatDate,
  formatDateTime,
  formatDuration,
  formatInterval,
  formatViews,
  variantName,
} from "../format";
import { SignedIn } from "../session";

const DAY_MS = 86_400_000;
const MAX_CHALLENGERS = MAX_VARIANTS - 1;

const stepNames = ["Video", "Titles", "Settings", "Confirm"] as const;
type Step = 1 | 2 | 3 | 4;

/** The new-test wizard: pick a video, write titles, choose settings, confirm. */
export default function NewTestPage() {
  return <SignedIn>{(user) => <Wizard user={user} />}</SignedIn>;
}

function Wizard(props: { user: Account }) {
  // The uploads page hands over the video it was opened from, sparing the first step.
  const location = useLocation<{ video?: Video }>();
  const [search] = useSearchParams<{ video?: string }>();
  const handed = location.state?.video?.videoId === search.video ? location.state?.video : undefined;

  const [step, setStep] = createSignal<Step>(handed ? 2 : 1);
  const [video, setVideo] = createSignal<Video | undefined>(handed);
  const [challengers, setChallengers] = createSignal<string[]>([""]);
  const allowed = () => props.user.limits.intervals;
  const [interval, setInterval] = createSignal(
    allowed().includes(60) ? 60 : (allowed().find((m) => m >= 60) ?? allowed()[0] ?? 60),
  );
  const [metric, setMetric] = createSignal<NonNullable<NewTest["metric"]>>("views");
  const [startLater, setStartLater] = createSignal(false);
  const [startAt, setStartAt] = createSignal("");
  const [days, setDays] = createSignal(14);
  const [autoApply, setAutoApply] = createSignal(true);

  const titles = () => [video()?.title ?? "", ...challengers()];
  const problems = createMemo(() =>
    challengers().map((text, i) =>
      titleProblem(
        text,
        titles().filter((_, j) => j !== i + 1),
      ),
    ),
  );

  const startTime = () => (startLater() && startAt() ? new Date(startAt()).getTime() : Date.now());
  const endTime = () => startTime() + days() * DAY_MS;
  const settingsProblem = (): string | null => {
    if (!allowed().includes(interval())) return "Choose an interval your plan allows.";
    if (metric() !== "views" && interval() !== 1440) return "CTR and watch time need the 24-hour interval.";
    if (startLater()) {
      const at = new Date(startAt()).getTime();
      if (!startAt() || Number.isNaN(at)) return "Choose when the test starts.";
      if (at < Date.now() - 60_000) return "The start lies in the past.";
      if (at > Date.now() + 30 * DAY_MS) return "A test can be scheduled at most 30 days ahead.";
    }
    if (!Number.isInteger(days()) || days() < 1 || days() > 30) return "A test runs 1 to 30 days.";
    const minimum = minimumRunMs(titles().length, interval());
    if (days() * DAY_MS < minimum) {
      return `With ${titles().length} titles every ${formatInterval(interval())}, the test needs at least ${Math.ceil(minimum / DAY_MS)} days (two rounds of every title).`;
    }
    return null;
  };

  const body = (draft: boolean): NewTest => ({
    videoId: video()?.videoId ?? "",
    titles: challengers().map((t) => t.trim()),
    intervalMinutes: interval(),
    metric: metric(),
    ...(startLater() ? { startAt: new Date(startTime()).toISOString() } : {}),
    endAt: new Date(endTime()).toISOString(),
    autoApply: autoApply(),
    draft,
  });

  return (
    <main>
      <h1>New test</h1>
      <Show when={props.user.status === "needs_reauth"}>
        <ReauthBanner returnTo="/tests/new" />
      </Show>
      <ol class="wizard-steps">
        <For each={stepNames}>
          {(name, i) => (
            <li aria-current={step() === i() + 1 ? "step" : undefined} classList={{ done: step() > i() + 1 }}>
              <span class="step-number">{i() + 1}</span> {name}
            </li>
          )}
        </For>
      </ol>
      <Switch>
        <Match when={step() === 1}>
          <VideoStep
            selected={video()?.videoId}
            onPick={(v) => {
              setVideo(v);
              setStep(2);
            }}
          />
        </Match>
        <Match when={step() === 2 && video()}>
          {(v) => (
            <TitlesStep
              video={v()}
              channel={props.user.channelTitle}
              challengers={challengers()}
              problems={problems()}
              onChange={setChallengers}
              onBack={() => setStep(1)}
              onNext={() => setStep(3)}
            />
          )}
        </Match>
        <Match when={step() === 3}>
          <StepForm
            legend="Settings"
            problem={settingsProblem()}
            onBack={() => setStep(2)}
            onNext={() => setStep(4)}
          >
            <IntervalChoice user={props.user} value={interval()} onChange={setInterval} />
            <fieldset>
              <legend>What decides the winner</legend>
              <label class="choice">
                <input
                  type="radio"
                  name="metric"
                  checked={metric() === "views"}
                  onChange={() => setMetric("views")}
                />{" "}
                Views per hour <span class="hint">— counted live, works with every interval</span>
              </label>
              <For
                each={
                  [
                    ["ctr", "Click-through rate"],
                    ["watch_time", "Watch time"],
                  ] as const
                }
              >
                {([value, label]) => (
                  <label class="choice" classList={{ disabled: interval() !== 1440 }}>
                    <input
                      type="radio"
                      name="metric"
                      disabled={interval() !== 1440}
                      checked={metric() === value}
                      onChange={() => setMetric(value)}
                    />{" "}
                    {label}
                  </label>
                )}
              </For>
              <p class="hint">
                Click-through rate and watch time are judged from YouTube Analytics daily figures, which
                arrive 2–3 days late. They need the 24-hour interval, and the result comes days after the test
                ends.
              </p>
            </fieldset>
            <fieldset>
              <legend>Start</legend>
              <label class="choice">
                <input
                  type="radio"
                  name="start"
                  checked={!startLater()}
                  onChange={() => setStartLater(false)}
                />{" "}
                Now
              </label>
              <label class="choice">
                <input
                  type="radio"
                  name="start"
                  checked={startLater()}
                  onChange={() => setStartLater(true)}
                />{" "}
                At a time
              </label>
              <Show when={startLater()}>
                <label class="field">
                  Start time
                  <input
                    type="datetime-local"
                    value={startAt()}
                    onInput={(e) => setStartAt(e.currentTarget.value)}
                  />
                </label>
              </Show>
            </fieldset>
            <label class="field">
              Run for (days)
              <input
                type="number"
                min="1"
                max="30"
                inputmode="numeric"
                value={days()}
                onInput={(e) => setDays(e.currentTarget.valueAsNumber)}
                aria-describedby="ends-at"
              />
              <span id="ends-at" class="hint">
                {Number.isFinite(endTime())
                  ? `Ends ${formatDateTime(new Date(endTime()).toISOString())} at the latest, earlier when a title wins clearly. At most 30 days.`
                  : ""}
              </span>
            </label>
            <label class="choice">
              <input
                type="checkbox"
                checked={autoApply()}
                onChange={(e) => setAutoApply(e.currentTarget.checked)}
              />{" "}
              Keep the winning title when the test ends
              <span class="hint"> — otherwise the current title comes back</span>
            </label>
          </StepForm>
        </Match>
        <Match when={step() === 4 && video()}>
          {(v) => (
            <ConfirmStep
              video={v()}
              titles={titles()}
              summary={[
                ["Rotate every", formatInterval(interval())],
                [
                  "Winner by",
                  metric() === "views"
                    ? "views per hour"
                    : metric() === "ctr"
                      ? "click-through rate"
                      : "watch time",
                ],
                ["Starts", startLater() ? formatDateTime(new Date(startTime()).toISOString()) : "now"],
                ["Ends at the latest", formatDateTime(new Date(endTime()).toISOString())],
                ["When it ends", autoApply() ? "keep the winner" : "restore the current title"],
              ]}
              body={body}
              onEdit={setStep}
            />
          )}
        </Match>
      </Switch>
    </main>
  );
}

/** A step's form: its fields, the problem that blocks "Next" (shown once tried), Back and Next. */
function StepForm(props: {
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

/** Step 1: the creator's uploads, searchable within what is loaded, a page at a time. */
function VideoStep(props: { selected: string | undefined; onPick: (video: Video) => void }) {
  const [tokens, setTokens] = createSignal<(string | undefined)[]>([undefined]);
  const [filter, setFilter] = createSignal("");
  return (
    <section class="step">
      <h2>Pick a video</h2>
      <label class="field">
        Search your loaded videos
        <input type="search" value={filter()} onInput={(e) => setFilter(e.currentTarget.value)} />
      </label>
      <Index each={tokens()}>
        {(token, i) => (
          <UploadsPage
            token={token()}
            last={i === tokens().length - 1}
            filter={filter().trim().toLowerCase()}
            selected={props.selected}
            onPick={props.onPick}
            onMore={(next) => setTokens((ts) => [...ts, next])}
          />
        )}
      </Index>
    </section>
  );
}

function UploadsPage(props: {
  token: string | undefined;
  last: boolean;
  filter: string;
  selected: string | undefined;
  onPick: (video: Video) => void;
  onMore: (token: string) => void;
}) {
  const page = createAsync(() => getVideos(props.token));
  const shown = () => (page()?.items ?? []).filter((v) => v.title.toLowerCase().includes(props.filter));
  return (
    <ErrorBoundary
      fallback={(err, reset) =>
        err instanceof ApiError && err.code === "needs_reauth" ? (
          <ReauthBanner returnTo="/tests/new" />
        ) : (
          <LoadError error={err} retry={() => void revalidate(getVideos.keyFor(props.token)).then(reset)} />
        )
      }
    >
      <Suspense
        fallback={
          <ul class="grid" aria-busy="true" aria-label="Loading videos">
            <For each={[1, 2, 3]}>{() => <VideoCardSkeleton />}</For>
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
                  {(v) => (
                    <li class="card">
                      <button
                        type="button"
                        class="pick"
                        aria-pressed={props.selected === v.videoId}
                        onClick={() => props.onPick(v)}
                      >
                        <span class="thumb">
                          <Show when={v.thumbnailUrl}>
                            {(src) => <img src={src()} alt="" loading="lazy" width="320" height="180" />}
                          </Show>
                          <Show when={formatDuration(v.duration)}>
                            {(d) => <span class="duration">{d()}</span>}
                          </Show>
                        </span>
                        <span class="pick-title">{v.title}</span>
                        <span class="meta">
                          {[formatViews(v.viewCount), formatDate(v.publishedAt)].filter(Boolean).join(" · ")}
                        </span>
                      </button>
                    </li>
                  )}
                </For>
              </ul>
              <Show when={props.filter && shown().length === 0 && p().items.length > 0}>
                <p class="hint">No loaded video matches. Load more, or change the search.</p>
              </Show>
              <Show when={props.last && p().nextPageToken}>
                {(next) => (
                  <button type="button" class="more" onClick={() => props.onMore(next())}>
                    Load more videos
                  </button>
                )}
              </Show>
            </>
          )}
        </Show>
      </Suspense>
    </ErrorBoundary>
  );
}

/** Step 2: the current title (the control) and up to four challengers, each with a card preview. */
function TitlesStep(props: {
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

/** Every interval the app offers: the plan's are choices, the others shown disabled with why. */
function IntervalChoice(props: { user: Account; value: number; onChange: (minutes: number) => void }) {
  const planName = () => props.user.plan[0]?.toUpperCase() + props.user.plan.slice(1);
  return (
    <fieldset>
      <legend>Rotate the title every</legend>
      <div class="intervals">
        <For each={props.user.intervalChoices}>
          {(minutes) => {
            const allowed = () => props.user.limits.intervals.includes(minutes);
            return (
              <label class="choice" classList={{ disabled: !allowed() }}>
                <input
                  type="radio"
                  name="interval"
                  value={minutes}
                  disabled={!allowed()}
                  checked={props.value === minutes}
                  onChange={() => props.onChange(minutes)}
                />{" "}
                {formatInterval(minutes)}
                <Show when={!allowed()}>
                  <span class="hint">
                    {" "}
                    —{" "}
                    {minutes < props.user.limits.minIntervalMinutes
                      ? `the ${planName()} plan rotates every ${formatInterval(props.user.limits.minIntervalMinutes)} at the shortest`
                      : "not offered here"}
                  </span>
                </Show>
              </label>
            );
          }}
        </For>
      </div>
      <p class="hint">Shorter intervals decide sooner. Every rotation changes the live title on YouTube.</p>
    </fieldset>
  );
}

/** Step 4: what will happen, then start (or save a draft); API errors in words with a way back. */
function ConfirmStep(props: {
  video: Video;
  titles: string[];
  summary: [string, string][];
  body: (draft: boolean) => NewTest;
  onEdit: (step: Step) => void;
}) {
  const create = useAction(createTest);
  const submission = useSubmission(createTest);
  const error = () => submission.error as unknown;
  // A field the API refused tells which step to go back to.
  const stepOf = (err: unknown): Step | null => {
    if (!(err instanceof ApiError)) return null;
    const path = err.issues[0]?.path ?? "";
    if (path.startsWith("titles")) return 2;
    if (path && path !== "videoId") return 3;
    return err.code === "not_found" ? 1 : null;
  };
  return (
    <section class="step">
      <h2>Confirm</h2>
      <div class="confirm-video">
        <Show when={props.video.thumbnailUrl}>
          {(src) => <img src={src()} alt="" width="160" height="90" />}
        </Show>
        <p>{props.video.title}</p>
      </div>
      <ol class="title-list">
        <For each={props.titles}>
          {(t, i) => (
            <li>
              <strong>{variantName(i())}</strong> {t.trim()}{" "}
              {i() === 0 ? <span class="hint">(current)</span> : null}
            </li>
          )}
        </For>
      </ol>
      <dl class="summary">
        <For each={props.summary}>
          {([label, value]) => (
            <div>
              <dt>{label}</dt>
              <dd>{value}</dd>
            </div>
          )}
        </For>
      </dl>
      <Show when={error()}>
        {(err) => (
          <div class="error" role="alert">
            <p>{messageOf(err())}</p>
            <div class="row">
              <Show when={stepOf(err())}>
                {(step) => (
                  <button type="button" onClick={() => props.onEdit(step())}>
                    Change {stepNames[step() - 1]?.toLowerCase()}
                  </button>
                )}
              </Show>
              <Show when={err() instanceof ApiError && (err() as ApiError).code === "conflict"}>
                <A href="/dashboard">Go to your tests</A>
              </Show>
            </div>
          </div>
        )}
      </Show>
      <div class="row">
        <button type="button" onClick={() => props.onEdit(3)}>
          Back
        </button>
        <button
          type="button"
          class="primary"
          disabled={submission.pending}
          onClick={() => void create(props.body(false)).catch(() => {})}
        >
          {submission.pending && !submission.input?.[0]?.draft ? "Starting…" : "Start test"}
        </button>
        <button
          type="button"
          disabled={submission.pending}
          onClick={() => void create(props.body(true)).catch(() => {})}
        >
          Save as draft
        </button>
      </div>
    </section>
  );
}
