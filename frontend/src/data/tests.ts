import { action, query, redirect } from "@solidjs/router";
import type { InferRequestType, InferResponseType } from "hono/client";
import { api, send } from "./api";

const byId = api.tests[":id"];

/** A test as the API shows it: state, live title, leader and variants. */
export type Test = InferResponseType<typeof api.tests.$get, 200>["items"][number];

/** Every status a test can be in. */
export type TestStatus = Test["status"];

/** One test with its latest events, as `GET /api/tests/:id` answers it. */
export type TestDetail = InferResponseType<(typeof byId)["$get"], 200>;

/** One entry of a test's event log. */
export type TestEvent = TestDetail["events"][number];

/** A test's analysis, per-slot series and titles, as `GET /api/tests/:id/results` answers it. */
export type Results = InferResponseType<(typeof byId)["results"]["$get"], 200>;

/** A daily-slot test's views and minutes by traffic source per title (null for shorter slots). */
export type TrafficSources = NonNullable<Results["trafficSources"]>;

/** The creator's overview figures. */
export type Dashboard = InferResponseType<typeof api.dashboard.$get, 200>;

/** What `POST /api/tests` takes. */
export type NewTest = InferRequestType<typeof api.tests.$post>["json"];

/** The creator's tests, newest first; `statuses` narrows the list (all when absent). */
export const getTests = query(async (statuses?: readonly TestStatus[]): Promise<Test[]> => {
  const q = statuses && statuses.length > 0 ? { status: statuses.join(",") } : {};
  return (await (await send(api.tests.$get({ query: q }))).json()).items;
}, "tests");

/** One test with its event log. */
export const getTest = query(async (id: string): Promise<TestDetail> => {
  return (await send(byId.$get({ param: { id } }))).json();
}, "test");

/** One test's results: analysis, series and titles. */
export const getResults = query(async (id: string): Promise<Results> => {
  return (await send(byId.results.$get({ param: { id } }))).json();
}, "results");

/** The dashboard's stat cards. */
export const getDashboard = query(async (): Promise<Dashboard> => {
  return (await send(api.dashboard.$get())).json();
}, "dashboard");

/** Creates a test (started, scheduled, or a draft) and opens its page. */
export const createTest = action(async (body: NewTest) => {
  const test = await (await send(api.tests.$post({ json: body }))).json();
  throw redirect(`/tests/${test.id}`, { revalidate: [getTests.key, getDashboard.key] });
}, "create-test");

/** The state changes a creator can ask of a test. */
export type StatusChange = "start" | "pause" | "resume" | "stop";

/** What a test's status is expected to become while a change is on its way (the optimistic view). */
export const expectedStatus: Record<StatusChange, TestStatus> = {
  start: "scheduled",
  pause: "paused",
  resume: "running",
  stop: "stopped",
};

/** Starts a draft, or pauses, resumes or stops a test; the test, list and dashboard are refetched. */
export const changeStatus = action(async (id: string, change: StatusChange) => {
  const param = { param: { id } };
  const call =
    change === "start"
      ? byId.start.$post(param)
      : change === "pause"
        ? byId.pause.$post(param)
        : change === "resume"
          ? byId.resume.$post(param)
          : byId.stop.$post(param);
  return (await send(call)).json();
}, "change-status");

/** Leaves a variant live for good (the winner when none is given) and ends the test. */
export const applyWinner = action(async (id: string, variant: number | undefined) => {
  const json = variant === undefined ? {} : { variant };
  return (await send(byId["apply-winner"].$post({ param: { id }, json }))).json();
}, "apply-winner");

/** Deletes a draft or a finished test and goes back to the dashboard. */
export const deleteTest = action(async (id: string) => {
  await send(byId.$delete({ param: { id } }));
  throw redirect("/dashboard", { revalidate: [getTests.key, getDashboard.key] });
}, "delete-test");

/** The CSV of a test's slots (a download, not an API call of the SPA). */
export function exportUrl(id: string): string {
  return `/api/tests/${encodeURIComponent(id)}/export.csv`;
}
