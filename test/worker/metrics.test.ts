import {
  createExecutionContext,
  createMessageBatch,
  env,
  getQueueResult,
  waitOnExecutionContext,
} from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { app } from "../../worker/app";
import worker from "../../worker/index";
import type { JobMessage } from "../../worker/jobs/messages";
import { MetricsBatch } from "../../worker/metrics/batch";
import { FAMILIES } from "../../worker/metrics/families";
import { formatExposition } from "../../worker/metrics/prometheus";
import { recordRotation, sendMetrics, withMetrics } from "../../worker/metrics/record";
import type { CallReport } from "../../worker/youtube/client";
import { youtubeClient } from "../../worker/youtube/from-env";
import { APP, as, createGoogleAccount, registerAppProject, signIn } from "./auth-fixtures";
import { type ParsedFamily, parsePrometheus, sampleValue } from "./prometheus-parser";
import { createCreator } from "./youtube-fixtures";

const TOKEN = "metrics-test-token";
const metricsEnv = { ...env, METRICS_TOKEN: TOKEN };

/**
 * A request through the app, waiting for its `waitUntil`s (the metrics `record()` among them), so
 * that the next scrape sees it. Other test files may run at the same time against the same
 * recorder: exact counts are asserted only on `/api/metrics`, which nothing else requests.
 */
async function request(path: string, init: RequestInit = {}, workerEnv: Env = metricsEnv): Promise<Response> {
  const ctx = createExecutionContext();
  const res = await app.fetch(new Request(`${APP}${path}`, init), workerEnv, ctx);
  const body = await res.text();
  await waitOnExecutionContext(ctx);
  return new Response(body, res);
}

async function scrape(): Promise<Map<string, ParsedFamily>> {
  const res = await request("/api/metrics", { headers: { authorization: `Bearer ${TOKEN}` } });
  expect(res.status).toBe(200);
  return parsePrometheus(await res.text());
}

describe("GET /api/metrics: access", () => {
  it("does not exist without a configured METRICS_TOKEN", async () => {
    const res = await request("/api/metrics", { headers: { authorization: `Bearer ${TOKEN}` } }, env);
    expect(res.status).toBe(404);
  });

  it("answers 401 to a missing or wrong token and the exposition format to the right one", async () => {
    expect((await request("/api/metrics")).status).toBe(401);
    const wrong = await request("/api/metrics", { headers: { authorization: "Bearer nope" } });
    expect(wrong.status).toBe(401);
    expect(wrong.headers.get("www-authenticate")).toContain("Bearer");
    const right = await request("/api/metrics", { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(right.status).toBe(200);
    expect(right.headers.get("content-type")).toBe("text/plain; version=0.0.4; charset=utf-8");
  });
});

describe("GET /api/metrics: families", () => {
  it("declares every family with HELP and its TYPE", async () => {
    const families = await scrape();
    for (const spec of Object.values(FAMILIES)) {
      const family = families.get(spec.name);
      expect(family?.help, spec.name).toBe(spec.help);
      expect(family?.type, spec.name).toBe(spec.type);
    }
    expect(families.get("ttp_tests")?.samples.map((s) => s.labels.status)).toContain("running");
    expect(families.get("ttp_dead_letters")?.samples).toHaveLength(1);
    expect(families.get("ttp_quota_units_limit")?.samples.map((s) => s.labels.project)).toContain("local-1");
    expect(families.get("ttp_quota_units_used")?.samples.map((s) => s.labels.project)).toContain("local-1");
    expect(
      families
        .get("ttp_quota_denials_total")
        ?.samples.map((s) => s.labels.priority)
        .sort(),
    ).toEqual(["background", "premium", "standard"]);
  });

  it("counts requests by route pattern, method and status, with a cumulative latency histogram", async () => {
    const before = await scrape(); // itself one more GET /api/metrics 200 in the histogram
    for (let i = 0; i < 3; i++) await request("/api/metrics", { headers: { authorization: "Bearer wrong" } });
    for (let i = 0; i < 2; i++) await request("/api/metrics");
    const testId = crypto.randomUUID();
    await request(`/api/tests/${testId}`);
    await request(`/api/tests/${testId}`);
    const after = await scrape();

    const delta = (name: string, labels: Record<string, string>) =>
      sampleValue(after, name, labels) - sampleValue(before, name, labels);
    const metrics401 = { route: "/api/metrics", method: "GET", status: "401" };
    expect(delta("ttp_http_requests_total", metrics401)).toBe(5);
    expect(delta("ttp_http_requests_total", { ...metrics401, status: "200" })).toBe(1);
    expect(delta("ttp_http_request_duration_seconds_count", { route: "/api/metrics" })).toBe(6);
    expect(
      delta("ttp_http_requests_total", { route: "/api/tests/:id", method: "GET", status: "401" }),
    ).toBeGreaterThanOrEqual(2);
    // The pattern, never the path: the id appears nowhere.
    const requests = after.get("ttp_http_requests_total")?.samples ?? [];
    expect(requests.some((s) => s.labels.route?.includes(testId))).toBe(false);

    const histogram = after.get("ttp_http_request_duration_seconds");
    const series = (histogram?.samples ?? []).filter((s) => s.labels.route === "/api/metrics");
    const buckets = series.filter((s) => s.name.endsWith("_bucket"));
    expect(buckets.length).toBeGreaterThan(2);
    const counts = buckets.map((s) => s.value);
    expect(counts).toEqual([...counts].sort((a, b) => a - b));
    expect(buckets.at(-1)?.labels.le).toBe("+Inf");
    expect(buckets.at(-1)?.value).toBe(
      sampleValue(after, "ttp_http_request_duration_seconds_count", { route: "/api/metrics" }),
    );
    expect(
      sampleValue(after, "ttp_http_request_duration_seconds_sum", { route: "/api/metrics" }),
    ).toBeGreaterThanOrEqual(0);
  });

  it("counts YouTube calls a request makes, by method and status", async () => {
    const account = await createGoogleAccount();
    const { session } = await signIn(account.email);
    const before = await scrape();
    const res = await request("/api/videos", as(session));
    expect(res.status).toBe(200);
    const after = await scrape();
    for (const method of ["playlistItems.list", "videos.list"]) {
      const labels = { method, status: "200" };
      expect(
        sampleValue(after, "ttp_youtube_calls_total", labels) -
          sampleValue(before, "ttp_youtube_calls_total", labels),
        method,
      ).toBeGreaterThanOrEqual(1);
    }
  });

  it("counts jobs enqueued and processed, and rotator outcomes", async () => {
    const before = await scrape();
    const sent: JobMessage[] = [];
    const jobsEnv = {
      ...env,
      JOBS: {
        send: async (body: JobMessage) => void sent.push(body),
        sendBatch: async (messages: { body: JobMessage }[]) => void sent.push(...messages.map((m) => m.body)),
      } as unknown as Queue,
    };
    const subject = `metrics-${crypto.randomUUID()}`;
    const jobs: JobMessage[] = [
      { type: "alert.raise", kind: "metrics.test", subject, severity: "warning", message: "m" },
      { type: "alert.clear", kind: "metrics.test", subject },
    ];
    const batch = createMessageBatch<JobMessage>(
      "ttp-jobs",
      jobs.map((body, i) => ({ id: `${subject}-${i}`, timestamp: new Date(), attempts: 1, body })),
    );
    const ctx = createExecutionContext();
    await worker.queue(batch, jobsEnv);
    expect((await getQueueResult(batch, ctx)).explicitAcks).toHaveLength(2);
    expect(sent.map((j) => j.type)).toEqual(["alert.notify"]);

    const recorded = new MetricsBatch();
    withMetrics(recorded, () => recordRotation(env, "quota_wait"));
    await sendMetrics(env, recorded);

    const after = await scrape();
    const delta = (name: string, labels: Record<string, string>) =>
      sampleValue(after, name, labels) - sampleValue(before, name, labels);
    expect(delta("ttp_jobs_processed_total", { type: "alert.raise", outcome: "ok" })).toBeGreaterThanOrEqual(
      1,
    );
    expect(delta("ttp_jobs_processed_total", { type: "alert.clear", outcome: "ok" })).toBeGreaterThanOrEqual(
      1,
    );
    expect(delta("ttp_jobs_enqueued_total", { type: "alert.notify" })).toBeGreaterThanOrEqual(1);
    expect(delta("ttp_rotations_total", { outcome: "quota_wait" })).toBeGreaterThanOrEqual(1);
  });
});

describe("youtubeClient(): the onCall hook", () => {
  it("records every attempt into the current batch and still calls the caller's own onCall", async () => {
    await registerAppProject();
    const creator = await createCreator({ videos: 1 });
    const reports: CallReport[] = [];
    const batch = new MetricsBatch();
    const client = youtubeClient(env, { onCall: (report) => reports.push(report) });
    const videos = await withMetrics(batch, () => client.getPublicVideos([creator.videos[0]?.id ?? ""]));
    expect(videos).toHaveLength(1);
    expect(reports.map((r) => [r.method, r.status])).toEqual([["videos.list", 200]]);
    const data = batch.data();
    expect(data.counters).toEqual([
      { name: "ttp_youtube_calls_total", labels: { method: "videos.list", status: "200" }, value: 1 },
    ]);
    expect(data.youtubeMinutes).toEqual([expect.objectContaining({ calls: 1, errors: 0 })]);
  });
});

describe("the exposition format", () => {
  it("escapes label values and help text so that a parser reads them back unchanged", () => {
    const nasty = 'a\\b"c\nd';
    const text = formatExposition([
      {
        spec: { name: "ttp_escape_test", type: "counter", help: "back\\slash and\nnewline" },
        samples: [{ labels: { route: nasty }, value: 3 }],
      },
      {
        spec: { name: "ttp_hist_test", type: "histogram", help: "h" },
        series: [
          {
            labels: {},
            buckets: [
              { le: 0.1, count: 1 },
              { le: Number.POSITIVE_INFINITY, count: 2 },
            ],
            sum: 0.7,
            count: 2,
          },
        ],
      },
    ]);
    const parsed = parsePrometheus(text);
    expect(parsed.get("ttp_escape_test")?.help).toBe("back\\slash and\nnewline");
    expect(parsed.get("ttp_escape_test")?.samples).toEqual([
      { name: "ttp_escape_test", labels: { route: nasty }, value: 3 },
    ]);
    expect(text).toContain('ttp_hist_test_bucket{le="+Inf"} 2');
    expect(sampleValue(parsed, "ttp_hist_test_bucket", { le: "0.1" })).toBe(1);
    expect(sampleValue(parsed, "ttp_hist_test_count")).toBe(2);
  });
});
