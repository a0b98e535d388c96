import { createAsync } from "@solidjs/router";
import { For, Show, Suspense } from "solid-js";
import { LoadBoundary } from "../components/load-error";
import TableWrap from "../components/table-wrap";
import { getOperations, getQuota, type QuotaProject } from "../data/admin";
import { pollWhileVisible } from "../data/poll";
import { countOf, formatDateTime, formatNumber } from "../format";
import { SignedIn } from "../session";

/** The QuotaLedger for operators: each project's day, headroom, exhaustion, alerts and denials. */
export default function AdminPage() {
  return (
    <SignedIn>
      {(user) => (
        <main>
          <h1>Quota</h1>
          <Show when={user.role === "admin"} fallback={<p>This page is for administrators.</p>}>
            <LoadBoundary keys={getQuota.key}>
              <QuotaStatusView />
              <OperationsView />
            </LoadBoundary>
          </Show>
        </main>
      )}
    </SignedIn>
  );
}

/** A share of the day as a whole percentage. */
const pct = (part: number, whole: number) => (whole > 0 ? Math.min(100, (part / whole) * 100) : 0);

function QuotaStatusView() {
  const status = createAsync(() => getQuota());
  pollWhileVisible(() => getQuota.key, 30_000);
  return (
    <Suspense
      fallback={
        <div class="skeleton" role="status" aria-busy="true" aria-label="Loading quota">
          <div class="line" />
          <div class="line" />
        </div>
      }
    >
      <Show when={status()}>
        {(s) => (
          <>
            <p class="hint">
              Pacific day {s().day}; resets {formatDateTime(new Date(s().nextResetAt).toISOString())}. Open
              grants: {s().openGrants}.
            </p>
            <Show when={alertsOf(s().projects).length > 0}>
              <div class="banner" role="alert">
                <For each={alertsOf(s().projects)}>{(line) => <p>{line}</p>}</For>
              </div>
            </Show>
            <h2>Projects</h2>
            <ul class="projects">
              <For each={s().projects}>{(p) => <ProjectBar project={p} />}</For>
            </ul>
            <h2 id="priority-h">By priority today</h2>
            <TableWrap labelledBy="priority-h">
              <table>
                <thead>
                  <tr>
                    <th scope="col">Priority</th>
                    <th scope="col">Grants</th>
                    <th scope="col">Units granted</th>
                    <th scope="col">Denials</th>
                    <th scope="col">Units denied</th>
                  </tr>
                </thead>
                <tbody>
                  <For each={Object.entries(s().priorities)}>
                    {([name, band]) => (
                      <tr>
                        <th scope="row">{name}</th>
                        <td>{formatNumber(band.grants)}</td>
                        <td>{formatNumber(band.grantedUnits)}</td>
                        <td>{formatNumber(band.denials)}</td>
                        <td>{formatNumber(band.deniedUnits)}</td>
                      </tr>
                    )}
                  </For>
                </tbody>
              </table>
            </TableWrap>
            <Show when={Object.keys(s().denialsByReason).length > 0}>
              <h2>Denials by reason</h2>
              <ul>
                <For each={Object.entries(s().denialsByReason)}>
                  {([reason, n]) => (
                    <li>
                      {reason.replaceAll("_", " ")}: {formatNumber(n)}
                    </li>
                  )}
                </For>
              </ul>
            </Show>
          </>
        )}
      </Show>
    </Suspense>
  );
}

/** The open alerts (as raised and stored, once per episode) and the jobs that failed for good. */
function OperationsView() {
  const ops = createAsync(() => getOperations());
  pollWhileVisible(() => getOperations.key, 30_000);
  return (
    <Suspense fallback={<p class="hint">Loading alerts…</p>}>
      <Show when={ops()}>
        {(o) => (
          <>
            <h2>Open alerts</h2>
            <Show when={o().alerts.length > 0} fallback={<p class="hint">None.</p>}>
              <ul class="alerts">
                <For each={o().alerts}>
                  {(a) => (
                    <li>
                      <strong>{a.severity}</strong> {a.message}{" "}
                      <span class="hint">
                        ({a.kind}
                        {a.subject ? ` · ${a.subject}` : ""}, since {formatDateTime(a.raisedAt)})
                      </span>
                    </li>
                  )}
                </For>
              </ul>
            </Show>
            <h2>Dead letters ({formatNumber(o().deadLetters.total)})</h2>
            <Show
              when={o().deadLetters.latest.length > 0}
              fallback={<p class="hint">None: every job went through.</p>}
            >
              <ul>
                <For each={o().deadLetters.latest}>
                  {(d) => (
                    <li>
                      {d.jobType} on {d.queue} after {countOf(d.attempts, "attempt")}{" "}
                      <span class="hint">({formatDateTime(d.receivedAt)})</span>
                    </li>
                  )}
                </For>
              </ul>
            </Show>
          </>
        )}
      </Show>
    </Suspense>
  );
}

/** Warnings in words: exhausted projects, and those past 80 % or 95 % of their day. */
function alertsOf(projects: readonly QuotaProject[]): string[] {
  return projects.flatMap((p) => {
    const share = pct(p.used + p.reserved, p.dailyLimit);
    if (p.exhaustedUntil) {
      return [`${p.id} is exhausted until ${formatDateTime(new Date(p.exhaustedUntil).toISOString())}.`];
    }
    if (share >= 95) return [`${p.id} has used ${Math.round(share)} % of its day.`];
    if (share >= 80) return [`${p.id} is past 80 % of its day (${Math.round(share)} %).`];
    return [];
  });
}

function ProjectBar(props: { project: QuotaProject }) {
  const p = () => props.project;
  return (
    <li class="project">
      <p>
        <strong>{p().id}</strong>{" "}
        <span class="hint">
          ({p().source}, {countOf(p().pinnedUsers, "user")} pinned)
        </span>
      </p>
      {/* The figures are in words right below; the bar only pictures them. */}
      <div class="usage" aria-hidden="true">
        <span class="used" style={{ width: `${pct(p().used, p().dailyLimit)}%` }} />
        <span class="reserved" style={{ width: `${pct(p().reserved, p().dailyLimit)}%` }} />
      </div>
      <p class="meta">
        {formatNumber(p().used)} used · {formatNumber(p().reserved)} reserved · {formatNumber(p().dailyLimit)}{" "}
        limit · {formatNumber(p().headroom)} headroom
        <Show when={p().exhaustedUntil}>
          {(until) => <> · exhausted until {formatDateTime(new Date(until()).toISOString())}</>}
        </Show>
      </p>
    </li>
  );
}
