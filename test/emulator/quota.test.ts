import { env, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { EmulatorEnv } from "../../emulator/env";
import { charge, unitsUsed } from "../../emulator/quota";
import {
  admin,
  call,
  callsOf,
  type GoogleErrorBody,
  type ListBody,
  signIn,
  type VideoItem,
  withToken,
  world,
} from "./fixtures";

interface QuotaDay {
  project: string;
  day: string;
  used: number;
  limit: number;
  resetAt: string;
}

const quota = (project: string) => admin<QuotaDay>("GET", `/projects/${project}/quota`);

function putSnippet(token: string, id: string, title: string) {
  return withToken<GoogleErrorBody>("/youtube/v3/videos?part=snippet", token, {
    method: "PUT",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ id, snippet: { title, categoryId: "27" } }),
  });
}

describe("quota accounting", () => {
  it("charges YouTube's costs: list calls 1, videos.update 50, a rejected update 1", async () => {
    const w = await world({ videoCount: 1 });
    const id = (w.videos[0] as { id: string }).id;
    const tokens = await signIn(w);
    await call(`/youtube/v3/videos?part=snippet&id=${id}&key=${w.project.apiKey}`);
    await withToken("/youtube/v3/channels?part=id&mine=true", tokens.access_token);
    await withToken(
      `/youtube/v3/playlistItems?part=id&playlistId=${w.channel.uploadsPlaylistId}`,
      tokens.access_token,
    );
    expect((await putSnippet(tokens.access_token, id, "Fifty units")).status).toBe(200);
    expect((await putSnippet(tokens.access_token, id, "bad <title>")).status).toBe(400);
    const log = await callsOf(w.project.id);
    expect(log.map((c) => [c.method, c.units, c.status])).toEqual([
      ["videos.list", 1, 200],
      ["channels.list", 1, 200],
      ["playlistItems.list", 1, 200],
      ["videos.update", 50, 200],
      ["videos.update", 1, 400],
    ]);
    expect(log[3]).toMatchObject({ videoId: id, auth: "oauth", sub: w.account.sub, project: w.project.id });
    expect((await quota(w.project.id)).used).toBe(54);
  });

  it("charges a user's calls to the project of the OAuth client they consented to", async () => {
    const w = await world({ videoCount: 0 });
    const tokens = await signIn(w);
    await withToken("/youtube/v3/channels?part=id&mine=true", tokens.access_token);
    expect((await quota(w.project.id)).used).toBe(1);
  });

  it("charges nothing for an unknown key or a bad token", async () => {
    const w = await world({ videoCount: 0 });
    await call("/youtube/v3/videos?part=id&id=x&key=unknown-key");
    await withToken("/youtube/v3/channels?part=id&mine=true", "ya29.bad");
    expect((await quota(w.project.id)).used).toBe(0);
  });

  it("answers 403 quotaExceeded with YouTube's exact body once the day is spent, and charges nothing more", async () => {
    const w = await world({ videoCount: 1, dailyLimit: 52 });
    const id = (w.videos[0] as { id: string }).id;
    const tokens = await signIn(w);
    expect((await putSnippet(tokens.access_token, id, "Costs fifty")).status).toBe(200);
    // 2 units left: an update (50) no longer fits, a list call (1) still does.
    const denied = await putSnippet(tokens.access_token, id, "Does not fit");
    expect(denied.status).toBe(403);
    expect(denied.body).toEqual({
      error: {
        code: 403,
        message:
          'The request cannot be completed because you have exceeded your <a href="/youtube/v3/getting-started#quota">quota</a>.',
        errors: [
          {
            message:
              'The request cannot be completed because you have exceeded your <a href="/youtube/v3/getting-started#quota">quota</a>.',
            domain: "youtube.quota",
            reason: "quotaExceeded",
          },
        ],
      },
    });
    expect((await call(`/youtube/v3/videos?part=id&id=${id}&key=${w.project.apiKey}`)).status).toBe(200);
    expect((await quota(w.project.id)).used).toBe(51);
    const last = (await callsOf(w.project.id)).slice(-2);
    expect(last.map((c) => [c.method, c.units, c.status, c.reason])).toEqual([
      ["videos.update", 0, 403, "quotaExceeded"],
      ["videos.list", 1, 200, null],
    ]);
  });

  it("exhausts a project on demand until the next Pacific midnight", async () => {
    const w = await world({ videoCount: 1 });
    const day = await admin<QuotaDay>("POST", `/projects/${w.project.id}/exhaust`);
    expect(day.used).toBe(day.limit);
    // The reset is a Pacific midnight: 07:00 or 08:00 UTC depending on DST.
    expect(new Date(day.resetAt).getUTCHours()).toBeOneOf([7, 8]);
    expect(new Date(day.resetAt).getUTCMinutes()).toBe(0);
    const res = await call<GoogleErrorBody>(
      `/youtube/v3/videos?part=id&id=${w.videos[0]?.id}&key=${w.project.apiKey}`,
    );
    expect(res.status).toBe(403);
    expect(res.body.error.errors[0]?.reason).toBe("quotaExceeded");
  });
});

describe("fault injection", () => {
  it("fails the next N calls of a method with 503 backendError, each costing 1, then recovers", async () => {
    const w = await world({ videoCount: 1 });
    await admin("PUT", "/faults", { method: "videos.list", project: w.project.id, failNext: 2, status: 503 });
    const url = `/youtube/v3/videos?part=id&id=${w.videos[0]?.id}&key=${w.project.apiKey}`;
    const first = await call<GoogleErrorBody>(url);
    expect(first.status).toBe(503);
    expect(first.body.error.errors[0]).toMatchObject({ domain: "global", reason: "backendError" });
    expect((await call(url)).status).toBe(503);
    expect((await call<ListBody<VideoItem>>(url)).status).toBe(200);
    expect((await callsOf(w.project.id)).map((c) => [c.status, c.units])).toEqual([
      [503, 1],
      [503, 1],
      [200, 1],
    ]);
  });

  it("fails every call at error rate 1 and only for the project it names", async () => {
    const a = await world({ videoCount: 1 });
    const b = await world({ videoCount: 1 });
    await admin("PUT", "/faults", { method: "*", project: a.project.id, errorRate: 1, status: 500 });
    expect(
      (await call(`/youtube/v3/videos?part=id&id=${a.videos[0]?.id}&key=${a.project.apiKey}`)).status,
    ).toBe(500);
    expect(
      (await call(`/youtube/v3/videos?part=id&id=${b.videos[0]?.id}&key=${b.project.apiKey}`)).status,
    ).toBe(200);
    await admin("DELETE", `/faults?project=${a.project.id}`);
    expect(
      (await call(`/youtube/v3/videos?part=id&id=${a.videos[0]?.id}&key=${a.project.apiKey}`)).status,
    ).toBe(200);
  });

  it("refuses a spent project for quota before any injected fault, so its day never passes the limit", async () => {
    const w = await world({ videoCount: 1 });
    await admin("POST", `/projects/${w.project.id}/exhaust`);
    await admin("PUT", "/faults", { method: "*", project: w.project.id, errorRate: 1, status: 503 });
    const res = await call<GoogleErrorBody>(
      `/youtube/v3/videos?part=id&id=${w.videos[0]?.id}&key=${w.project.apiKey}`,
    );
    expect(res.status).toBe(403);
    expect(res.body.error.errors[0]?.reason).toBe("quotaExceeded");
    const day = await quota(w.project.id);
    expect(day.used).toBe(day.limit);
  });

  it("answers 429 rateLimitExceeded when asked to", async () => {
    const w = await world({ videoCount: 1 });
    await admin("PUT", "/faults", { method: "videos.list", project: w.project.id, failNext: 1, status: 429 });
    const res = await call<GoogleErrorBody>(
      `/youtube/v3/videos?part=id&id=${w.videos[0]?.id}&key=${w.project.apiKey}`,
    );
    expect(res.status).toBe(429);
    expect(res.body.error.errors[0]?.reason).toBe("rateLimitExceeded");
  });

  it("answers 403 quotaExceeded when asked to, free, with the day unspent", async () => {
    const w = await world({ videoCount: 1 });
    await admin("PUT", "/faults", { method: "videos.list", project: w.project.id, failNext: 1, status: 403 });
    const url = `/youtube/v3/videos?part=id&id=${w.videos[0]?.id}&key=${w.project.apiKey}`;
    const res = await call<GoogleErrorBody>(url);
    expect(res.status).toBe(403);
    expect(res.body.error.errors[0]?.reason).toBe("quotaExceeded");
    expect((await call(url)).status).toBe(200);
    expect((await callsOf(w.project.id)).map((c) => [c.status, c.units])).toEqual([
      [403, 0],
      [200, 1],
    ]);
  });

  it("delays answers by the injected latency", async () => {
    const w = await world({ videoCount: 1 });
    await admin("PUT", "/faults", { method: "videos.list", project: w.project.id, latencyMs: 300 });
    const started = Date.now();
    const res = await call(`/youtube/v3/videos?part=id&id=${w.videos[0]?.id}&key=${w.project.apiKey}`);
    expect(res.status).toBe(200);
    // A lower bound only: the delay is a floor, never a timed upper limit.
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
  });

  it("fails the token endpoint for a project's client (method oauth.token)", async () => {
    const w = await world({ videoCount: 0 });
    const tokens = await signIn(w);
    await admin("PUT", "/faults", { method: "oauth.token", project: w.project.id, failNext: 1, status: 503 });
    const form = new URLSearchParams({
      grant_type: "refresh_token",
      refresh_token: tokens.refresh_token,
      client_id: w.project.clientId,
      client_secret: w.project.clientSecret,
    });
    const failed = await call("/token", {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: form.toString(),
    });
    expect(failed.status).toBe(503);
    const ok = await call("/token", {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: form.toString(),
    });
    expect(ok.status).toBe(200);
  });
});

describe("the quota day", () => {
  it("resets at midnight America/Los_Angeles, DST included", async () => {
    const ns = (env as unknown as EmulatorEnv).EMULATOR;
    await runInDurableObject(
      ns.get(ns.idFromName(`quota-day-${crypto.randomUUID()}`)),
      (_instance, state) => {
        const sql = state.storage.sql;
        // Winter: midnight PST is 08:00 UTC.
        const beforeWinter = Date.UTC(2026, 0, 15, 7, 59);
        charge(sql, "p", 9_000, beforeWinter);
        expect(unitsUsed(sql, "p", beforeWinter + 30_000)).toBe(9_000);
        expect(unitsUsed(sql, "p", Date.UTC(2026, 0, 15, 8, 0))).toBe(0);
        // Summer: midnight PDT is 07:00 UTC.
        const beforeSummer = Date.UTC(2026, 6, 15, 6, 59);
        charge(sql, "p", 500, beforeSummer);
        expect(unitsUsed(sql, "p", Date.UTC(2026, 6, 15, 6, 59, 59))).toBe(500);
        expect(unitsUsed(sql, "p", Date.UTC(2026, 6, 15, 7, 0))).toBe(0);
      },
    );
  });
});
