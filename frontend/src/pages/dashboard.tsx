import { A, createAsync, useSearchParams } from "@solidjs/router";
import { For, Show, Suspense } from "solid-js";
import Countdown from "../components/countdown";
import { LoadBoundary } from "../components/load-error";
import ReauthBanner from "../components/reauth-banner";
import StatusBadge from "../components/status-badge";
import { pollWhileVisible } from "../data/poll";
import { type Dashboard, getDashboard, getTests, type Test, type TestStatus } from "../data/tests";
import { formatCompact, formatLift, formatProbability, formatTime, variantName } from "../format";
import { SignedIn } from "../session";
import { finishedStatuses, liveStatuses } from "../test-words";

/** The status filters a creator can pick, each a set of statuses (none: every test). */
const filters: Record<string, { label: string; statuses?: readonly TestStatus[] }> = {
  all: { label: "All tests" },
  live: { label: "Live", statuses: liveStatuses },
  running: { label: "Running", statuses: ["running"] },
  paused: { label: "Paused", statuses: ["paused", "paused_drift", "needs_reauth"] },
  scheduled: { label: "Scheduled", statuses: ["scheduled"] },
  draft: { label: "Drafts", statuses: ["draft"] },
  finished: { label: "Finished", statuses: finishedStatuses },
};

/** The signed-in home: the creator's figures and their tests. */
export default function DashboardPage() {
  const [search, setSearch] = useSearchParams<{ status?: string }>();
  const filter = () => (search.status && search.status in filters ? search.status : "all");
  const statuses = () => filters[filter()]?.statuses;
  pollWhileVisible(() => [getDashboard.key, getTests.key], 30_000);
  return (
    <SignedIn>
      {(user) => (
        <main>
          <div class="title-row">
            <h1>Your tests</h1>
            <A class="button primary" href="/tests/new">
              New test
            </A>
          </div>
          <Show when={user.status === "needs_reauth"}>
            <ReauthBanner returnTo="/dashboard" />
          </Show>
          <LoadBoundary keys={getDashboard.key}>
            <DashboardFigures />
          </LoadBoundary>
          <div class="filter">
            <label for="status-filter">Show</label>
            <select
              id="status-filter"
              value={filter()}
              onChange={(e) =>
                setSearch({ status: e.currentTarget.value === "all" ? undefined : e.currentTarget.value })
              }
            >
              <For each={Object.entries(filters)}>{([key, f]) => <option value={key}>{f.label}</option>}</For>
            </select>
          </div>
          <LoadBoundary keys={getTests.key}>
            <TestList statuses={statuses()} />
          </LoadBoundary>
        </main>
      )}
    </SignedIn>
  );
}

function DashboardFigures() {
  const figures = createAsync(() => getDashboard());
  return (
    <Suspense fallback={<StatCards />}>
      <StatCards figures={figures()} />
    </Suspense>
  );
}

/**
 * How fresh the counted figures are: views are counted hourly from closed slots, so a test that
 * just started shows none yet; saying so beats a bare 0 next to a running test.
 */
function freshness(asOf: string | null): string {
  return asOf
    ? `counted hourly, last at ${formatTime(asOf)}`
    : "counted hourly; the first count is within the hour";
}

/** The four figures; grey blocks while they load. */
function StatCards(props: { figures?: Dashboard }) {
  const cards = () => {
    const f = props.figures;
    return [
      ["Active tests", f ? String(f.activeTests) : null, null],
      ["Views during tests", f ? formatCompact(f.viewsDuringTests) : null, f ? freshness(f.statsAsOf) : null],
      [
        "Average lift of won tests",
        f ? (f.averageWinLift === null ? "—" : formatLift(f.averageWinLift)) : null,
        null,
      ],
      ["Tests won", f ? String(f.won) : null, null],
    ] as const;
  };
  return (
    <dl class="stats" aria-busy={!props.figures}>
      <For each={cards()}>
        {([label, value, note]) => (
          <div class={value === null ? "stat skeleton" : "stat"}>
            <dt>{label}</dt>
            <dd>
              {value ?? <span class="line" />}
              <Show when={note}>{(text) => <small class="stat-note">{text()}</small>}</Show>
            </dd>
          </div>
        )}
      </For>
    </dl>
  );
}

function TestList(props: { statuses: readonly TestStatus[] | undefined }) {
  const tests = createAsync(() => getTests(props.statuses));
  return (
    <Suspense
      fallback={
        <ul class="tests" aria-busy="true" aria-label="Loading tests">
          <For each={[1, 2, 3]}>
            {() => (
              <li class="test-row skeleton" aria-hidden="true">
                <div class="thumb" />
                <div class="line" />
              </li>
            )}
          </For>
        </ul>
      }
    >
      <Show when={tests()}>
        {(list) => (
          <Show
            when={list().length > 0}
            fallback={
              <Show when={!props.statuses} fallback={<p class="empty">No tests with this status.</p>}>
                <FirstTest />
              </Show>
            }
          >
            <ul class="tests">
              <For each={list()}>{(test) => <TestRow test={test} />}</For>
            </ul>
          </Show>
        )}
      </Show>
    </Suspense>
  );
}

/** The empty dashboard of a new creator: what a test is, in three steps, and the way to start one. */
function FirstTest() {
  return (
    <section class="first-test" aria-labelledby="first-test-h">
      <h2 id="first-test-h">Start your first test</h2>
      <ol>
        <li>
          <strong>Pick a video</strong> — a published upload whose title you want to improve.
        </li>
        <li>
          <strong>Write 2–5 titles</strong> — the current one is the control; see each one as YouTube cuts it.
        </li>
        <li>
          <strong>Let it rotate</strong> — we swap the live title on a schedule and tell you which one earns
          more views per hour.
        </li>
      </ol>
      <A class="button primary" href="/tests/new">
        Create a test
      </A>
    </section>
  );
}

/** One test in the list: the whole row links to its page. */
function TestRow(props: { test: Test }) {
  const title = () => props.test.currentTitle ?? props.test.videoTitleOriginal;
  return (
    <li class="test-row">
      <div class="thumb">
        <img src={props.test.thumbnailUrl} alt="" loading="lazy" width="160" height="90" />
      </div>
      <div class="test-info">
        <A href={`/tests/${props.test.id}`} class="test-link">
          {title()}
        </A>
        <p class="meta">
          <StatusBadge status={props.test.status} />
          <Show when={props.test.status === "running"}>
            {" "}
            <Countdown to={props.test.nextRotationAt} label="next rotation" />
          </Show>
        </p>
        <Show when={props.test.leaderVariant !== null && props.test.leaderPBest !== null}>
          <p class="meta">
            Leader: {variantName(props.test.leaderVariant ?? 0)} ({formatProbability(props.test.leaderPBest)}{" "}
            to be best)
          </p>
        </Show>
      </div>
    </li>
  );
}
