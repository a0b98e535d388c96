import {
  createExecutionContext,
  createMessageBatch,
  env,
  getQueueResult,
  runDurableObjectAlarm,
  SELF,
} from "cloudflare:test";
import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { testRotator } from "../../durable-objects/test-rotator/stub";
import * as schema from "../../schema";
import { openDb } from "../../worker/db/client";
import worker from "../../worker/index";
import type { JobMessage } from "../../worker/jobs/messages";
import { sendMail } from "../../worker/mail/resend";
import { composeMail } from "../../worker/notifications/compose";
import {
  eventKey,
  type NotificationEvent,
  type NotificationEventInput,
} from "../../worker/notifications/events";
import { defaultPreferences } from "../../worker/notifications/kinds";
import { type NotificationSendJob, notify } from "../../worker/notifications/notify";
import { rotatorNotifications } from "../../worker/notifications/rotator-events";
import { enqueueWeeklyDigests, isDigestHour, isoWeek } from "../../worker/notifications/weekly-digest";
import { APP } from "./auth-fixtures";
import { addVideo, call, creator, expectJson, type TestCreator, type TestJson } from "./tests-fixtures";
import { emulatorAdmin } from "./youtube-fixtures";

/**
 * E-mail notifications end to end: real rotator transitions (a title edited in Studio, a lost
 * Google grant, a test reaching its end) and billing's entry point each land in the emulator's mail
 * sink exactly once, however often the queue delivers the job; preferences are respected; the
 * signed unsubscribe link works without a session and a tampered one changes nothing.
 */
const { db, close } = openDb(env);
afterAll(() => close());

interface SunkMail {
  id: string;
  to: string[];
  subject: string;
  text: string;
  html: string;
  headers: Record<string, string>;
}

const mailsTo = async (email: string) =>
  (await emulatorAdmin<{ mails: SunkMail[] }>("GET", `/mail?to=${encodeURIComponent(email)}`)).mails;

/** Delivers one `notification.send` job to the consumer `times` times, as a redelivery would. */
async function deliver(event: NotificationEvent, times = 1) {
  for (let attempt = 1; attempt <= times; attempt++) {
    const batch = createMessageBatch<JobMessage>("ttp-jobs", [
      {
        id: `job-${crypto.randomUUID()}`,
        timestamp: new Date(),
        attempts: attempt,
        body: { type: "notification.send", event },
      },
    ]);
    const ctx = createExecutionContext();
    await worker.queue(batch, env);
    const result = await getQueueResult(batch, ctx);
    expect(result.explicitAcks).toHaveLength(1);
  }
}

/** What `notify` hands the queue, caught instead of sent (the test then delivers it itself). */
async function notified(...events: NotificationEventInput[]): Promise<NotificationEvent[]> {
  const sent: NotificationSendJob[] = [];
  const queue = {
    sendBatch: async (msgs: { body: NotificationSendJob }[]) => void sent.push(...msgs.map((m) => m.body)),
  };
  await notify({ JOBS: queue as unknown as Queue, METRICS_RECORDER: env.METRICS_RECORDER }, ...events);
  return sent.map((j) => j.event);
}

async function emailOf(who: TestCreator): Promise<string> {
  const [row] = await db
    .select({ email: schema.users.email })
    .from(schema.users)
    .where(eq(schema.users.id, who.id));
  return row?.email as string;
}

/** The rotator's event of `type` as copied to Postgres (its number makes the pause's key). */
async function rotatorEvent(testId: string, type: string) {
  const [row] = await db
    .select()
    .from(schema.events)
    .where(and(eq(schema.events.testId, testId), eq(schema.events.type, type)));
  if (!row) throw new Error(`no ${type} event`);
  return row;
}

async function step(testId: string): Promise<void> {
  const stub = testRotator(env, testId);
  await runDurableObjectAlarm(stub);
  await stub.view();
}

async function startedTest(who: TestCreator, title: string): Promise<{ id: string; videoId: string }> {
  const videoId = await addVideo(who, title);
  const created = await expectJson<TestJson>(
    await call(who, "POST", "/api/tests", { videoId, titles: [`${title} challenger`], intervalMinutes: 60 }),
    201,
  );
  await step(created.id);
  return { id: created.id, videoId };
}

const testLink = (testId: string) => `http://127.0.0.1:8787/tests/${testId}`;
const preferences = async (who: TestCreator) =>
  expectJson<Record<string, boolean>>(await call(who, "GET", "/api/me/notifications"), 200);

describe("each kind lands in the sink exactly once", () => {
  let pat: TestCreator;
  let email: string;
  beforeAll(async () => {
    pat = await creator(db, "authority");
    email = await emailOf(pat);
  });

  it("a title edited in YouTube Studio pauses the test and mails its creator once, with the test's link in both parts", async () => {
    const test = await startedTest(pat, "Studio edit video");
    await emulatorAdmin("PATCH", `/videos/${test.videoId}`, { title: "My own title" });
    await step(test.id);
    const drift = await rotatorEvent(test.id, "drift");
    const event: NotificationEvent = {
      kind: "test_paused",
      testId: test.id,
      reason: "title_edited",
      occurrence: `${drift.rotatorSeq}`,
    };
    // The mirror derived exactly this event from the copy it made.
    expect(
      await rotatorNotifications(
        db,
        { testId: test.id, status: "paused_drift", record: { decision: "collecting" } },
        [{ seq: drift.rotatorSeq as number, type: "drift", data: drift.data, at: drift.createdAt.getTime() }],
      ),
    ).toEqual([event]);
    await deliver(event, 2);
    const mails = (await mailsTo(email)).filter((m) => m.text.includes(testLink(test.id)));
    expect(mails).toHaveLength(1);
    const [mail] = mails as [SunkMail];
    expect(mail.subject).toContain("changed in YouTube Studio");
    expect(mail.html).toContain(`href="${testLink(test.id)}"`);
    expect(mail.headers["List-Unsubscribe-Post"]).toBe("List-Unsubscribe=One-Click");
    expect(mail.headers["List-Unsubscribe"]).toMatch(
      /^<http:\/\/127\.0\.0\.1:8787\/api\/unsubscribe\?token=[^>]+>$/,
    );
    const [row] = await db
      .select()
      .from(schema.notifications)
      .where(eq(schema.notifications.eventKey, eventKey(event)));
    expect(row?.sentAt).not.toBeNull();
    expect(row?.providerId).toBe(mail.id);
  });

  it("a lost Google grant pauses every live test (needs_reauth) and mails the creator once, not once per test", async () => {
    const who = await creator(db, "pro");
    const to = await emailOf(who);
    const tests = [
      await startedTest(who, "Revoked grant video"),
      await startedTest(who, "Revoked grant second"),
    ];
    await emulatorAdmin("POST", `/accounts/${encodeURIComponent(to)}/revoke`);
    for (const test of tests) {
      await step(test.id);
      const [row] = await db.select().from(schema.tests).where(eq(schema.tests.id, test.id));
      expect(row?.status).toBe("needs_reauth");
      const lost = await rotatorEvent(test.id, "needs_reauth");
      await deliver(
        {
          kind: "test_paused",
          testId: test.id,
          reason: "google_access_lost",
          occurrence: `${lost.rotatorSeq}`,
        },
        2,
      );
    }
    const mails = (await mailsTo(to)).filter((m) => m.subject.includes("lost access"));
    expect(mails).toHaveLength(1);
    expect(mails[0]?.text).toContain(testLink(tests[0]?.id as string));
  });

  it("a test that reaches its end without a winner mails what it ruled out, once", async () => {
    const test = await startedTest(pat, "Ending video");
    await testRotator(env, test.id).amend({ endsAt: Date.now() + 1 });
    await step(test.id);
    const [row] = await db.select().from(schema.tests).where(eq(schema.tests.id, test.id));
    expect(row).toMatchObject({ status: "completed", decision: "inconclusive" });
    expect(row?.finalTitleSetAt).not.toBeNull();
    const finished = await rotatorEvent(test.id, "title_restored");
    const derived = await rotatorNotifications(
      db,
      { testId: test.id, status: "completed", record: { decision: "inconclusive" } },
      [
        {
          seq: finished.rotatorSeq as number,
          type: "title_restored",
          data: finished.data,
          at: finished.createdAt.getTime(),
        },
      ],
    );
    expect(derived).toEqual([{ kind: "test_inconclusive", testId: test.id }]);
    await deliver({ kind: "test_inconclusive", testId: test.id }, 2);
    const mails = (await mailsTo(email)).filter(
      (m) => m.text.includes(testLink(test.id)) && m.subject.includes("without a winner"),
    );
    expect(mails).toHaveLength(1);
    // The results page's words for what the test knows (worker/stats/verdict.ts).
    expect(mails[0]?.text).toContain("rule");
    expect(mails[0]?.html).toContain(testLink(test.id));
  });

  it("a winner the engine found mails once and says whether it is live; a creator's own stop mails nothing", async () => {
    const test = await startedTest(pat, "Winner video");
    await db
      .update(schema.tests)
      .set({
        status: "completed",
        decision: "winner",
        winnerVariant: 1,
        winnerLift: 0.31,
        finalVariant: 1,
        finalTitleSetAt: new Date(),
      })
      .where(eq(schema.tests.id, test.id));
    await db.insert(schema.events).values({
      userId: pat.id,
      testId: test.id,
      type: "finished",
      rotatorSeq: 900,
      data: { decision: "winner" },
    });
    const applied = { seq: 901, type: "title_applied", data: {}, at: Date.now() };
    const copied = { testId: test.id, status: "completed" as const, record: { decision: "winner" as const } };
    const derived = await rotatorNotifications(db, copied, [applied]);
    expect(derived).toEqual([{ kind: "test_winner", testId: test.id }]);
    expect(await rotatorNotifications(db, { ...copied, status: "stopped" }, [applied])).toEqual([]);
    await deliver({ kind: "test_winner", testId: test.id }, 3);
    const mails = (await mailsTo(email)).filter(
      (m) => m.subject.includes("found its winner") && m.text.includes(testLink(test.id)),
    );
    expect(mails).toHaveLength(1);
    expect(mails[0]?.subject).toContain("Winner video challenger");
    expect(mails[0]?.text).toContain("+31 %");
    expect(mails[0]?.text).toContain("It is live on your video now.");
  });

  it("a wait for quota mails once it passes a day, once per wait", async () => {
    const test = await startedTest(pat, "Quota video");
    const t0 = Date.now();
    await db.insert(schema.events).values([
      {
        userId: pat.id,
        testId: test.id,
        type: "rotated",
        rotatorSeq: 50,
        createdAt: new Date(t0 - 3_600_000),
      },
      { userId: pat.id, testId: test.id, type: "quota_wait", rotatorSeq: 51, createdAt: new Date(t0) },
      {
        userId: pat.id,
        testId: test.id,
        type: "quota_wait",
        rotatorSeq: 52,
        createdAt: new Date(t0 + 3_600_000),
      },
    ]);
    const copied = {
      testId: test.id,
      status: "running" as const,
      record: { decision: "collecting" as const },
    };
    const short = { seq: 52, type: "quota_wait", data: { retryAt: t0 + 20 * 3_600_000 }, at: t0 + 3_600_000 };
    expect(await rotatorNotifications(db, copied, [short])).toEqual([]);
    const long = { ...short, data: { retryAt: t0 + 25 * 3_600_000 } };
    const [event] = await rotatorNotifications(db, copied, [long]);
    expect(event).toMatchObject({ kind: "test_paused", reason: "quota_wait", occurrence: "51" });
    await deliver(event as NotificationEvent, 2);
    expect(
      (await mailsTo(email)).filter((m) => m.subject.includes("quota") && m.text.includes(testLink(test.id))),
    ).toHaveLength(1);
  });

  it("billing's events (payment failed, paused by a downgrade) go through notify and land once", async () => {
    const test = await startedTest(pat, "Downgrade video");
    const events = await notified(
      { kind: "payment_failed", userId: pat.id, graceEndsAt: new Date("2026-07-01T00:00:00Z") },
      { kind: "test_paused", testId: test.id, reason: "plan_downgrade" },
    );
    expect(events).toEqual([
      { kind: "payment_failed", userId: pat.id, graceEndsAt: "2026-07-01T00:00:00.000Z" },
      { kind: "test_paused", testId: test.id, reason: "plan_downgrade" },
    ]);
    for (const e of events) await deliver(e, 2);
    const mails = await mailsTo(email);
    const payment = mails.filter((m) => m.subject.includes("payment did not go through"));
    expect(payment).toHaveLength(1);
    expect(payment[0]?.text).toContain("1 July 2026");
    expect(payment[0]?.text).toContain("http://127.0.0.1:8787/account");
    expect(
      mails.filter((m) => m.subject.includes("your plan changed") && m.text.includes(testLink(test.id))),
    ).toHaveLength(1);
  });

  it("notify refuses a malformed event before anything is queued", async () => {
    await expect(
      notified({ kind: "test_paused", testId: "not-a-uuid", reason: "plan_downgrade" }),
    ).rejects.toThrow();
    await expect(notified({ kind: "payment_failed", userId: pat.id, graceEndsAt: "soon" })).rejects.toThrow();
  });

  it("a crash between the provider's acceptance and 'marked sent' still sends one mail", async () => {
    const test = await startedTest(pat, "Crash video");
    const event: NotificationEvent = {
      kind: "test_paused",
      testId: test.id,
      reason: "plan_downgrade",
      occurrence: "crash",
    };
    const mail = await composeMail(db, env, event);
    if (!mail) throw new Error("nothing composed");
    // The provider took the mail, then the job died before it wrote sent_at: the retry sends again.
    const first = await sendMail(env, mail.message, eventKey(event));
    await deliver(event);
    const mails = (await mailsTo(email)).filter((m) => m.text.includes(testLink(test.id)));
    expect(mails.map((m) => m.id)).toEqual([first.id]);
    const [row] = await db
      .select()
      .from(schema.notifications)
      .where(eq(schema.notifications.eventKey, eventKey(event)));
    expect(row?.providerId).toBe(first.id);
  });

  it("the weekly digest goes to opted-in creators once per ISO week", async () => {
    const who = await creator(db, "pro");
    const to = await emailOf(who);
    await startedTest(who, "Digest video");
    expect(isoWeek(Date.UTC(2021, 0, 3))).toBe("2020-W53");
    expect(isoWeek(Date.UTC(2026, 0, 1))).toBe("2026-W01");
    expect(isDigestHour(Date.UTC(2026, 4, 11, 9))).toBe(true); // a Monday
    expect(isDigestHour(Date.UTC(2026, 4, 12, 9))).toBe(false);
    await expectJson(await call(who, "PUT", "/api/me/notifications", { weekly_digest: true }), 200);
    const jobs: JobMessage[] = [];
    const queue = {
      sendBatch: async (msgs: { body: JobMessage }[]) => void jobs.push(...msgs.map((m) => m.body)),
    };
    const monday = Date.UTC(2026, 4, 11, 9);
    await enqueueWeeklyDigests(
      { JOBS: queue as unknown as Queue, METRICS_RECORDER: env.METRICS_RECORDER },
      db,
      monday,
    );
    const mine = jobs.filter(
      (j) => j.type === "notification.send" && "userId" in j.event && j.event.userId === who.id,
    );
    expect(mine).toEqual([
      { type: "notification.send", event: { kind: "weekly_digest", userId: who.id, week: "2026-W20" } },
    ]);
    const event = (mine[0] as NotificationSendJob).event;
    await deliver(event, 2);
    await deliver({ ...event }, 1);
    const digests = (await mailsTo(to)).filter((m) => m.subject.includes("Your week"));
    expect(digests).toHaveLength(1);
    expect(digests[0]?.text).toContain('"Digest video": running');
  });
});

describe("preferences", () => {
  it("answers the defaults (all on but the digest), changes only what is named, and refuses bad input unchanged", async () => {
    const who = await creator(db);
    expect(await preferences(who)).toEqual(defaultPreferences);
    const bad: [unknown, string][] = [
      [{}, "validation_failed"],
      [{ test_winner: "no" }, "validation_failed"],
      [{ unknown_kind: true }, "validation_failed"],
      [[true], "validation_failed"],
      ["not json", "bad_request"],
    ];
    for (const [body, code] of bad) {
      const res = await call(who, "PUT", "/api/me/notifications", body);
      expect(res.status).toBe(400);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe(code);
    }
    expect(await preferences(who)).toEqual(defaultPreferences);
    const changed = await expectJson(
      await call(who, "PUT", "/api/me/notifications", { test_paused: false, weekly_digest: true }),
      200,
    );
    expect(changed).toEqual({ ...defaultPreferences, test_paused: false, weekly_digest: true });
    expect(await preferences(who)).toEqual(changed);
    expect((await SELF.fetch(`${APP}/api/me/notifications`)).status).toBe(401);
  });

  it("a kind turned off is not mailed, and its event stays settled as opted out", async () => {
    const who = await creator(db, "pro");
    const to = await emailOf(who);
    const test = await startedTest(who, "Opted out video");
    await expectJson(await call(who, "PUT", "/api/me/notifications", { test_paused: false }), 200);
    const event: NotificationEvent = { kind: "test_paused", testId: test.id, reason: "plan_downgrade" };
    await deliver(event, 2);
    expect(await mailsTo(to)).toEqual([]);
    const [row] = await db
      .select()
      .from(schema.notifications)
      .where(eq(schema.notifications.eventKey, eventKey(event)));
    expect(row).toMatchObject({ skipped: "opted_out", sentAt: null });
  });
});

describe("unsubscribe by the signed link", () => {
  async function mailFor(who: TestCreator): Promise<SunkMail> {
    const test = await startedTest(who, "Unsubscribe video");
    await deliver({ kind: "test_paused", testId: test.id, reason: "plan_downgrade" });
    const [mail] = await mailsTo(await emailOf(who));
    if (!mail) throw new Error("no mail");
    return mail;
  }
  const linkOf = (mail: SunkMail) =>
    (mail.headers["List-Unsubscribe"] as string).slice(1, -1).replace("http://127.0.0.1:8787", APP);
  const oneClick = (url: string) =>
    SELF.fetch(url, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: "List-Unsubscribe=One-Click",
    });

  it("GET only shows what it would do; the one-click POST, without a session, turns that kind off", async () => {
    const who = await creator(db, "pro");
    const url = linkOf(await mailFor(who));
    const page = await SELF.fetch(url);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<form method="post">');
    expect(await preferences(who)).toEqual(defaultPreferences);
    const res = await oneClick(url);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ unsubscribed: "test_paused" });
    expect(await preferences(who)).toEqual({ ...defaultPreferences, test_paused: false });
  });

  it("the footer's link turns every kind off", async () => {
    const who = await creator(db, "pro");
    const mail = await mailFor(who);
    const all = /Unsubscribe from all TitleTesterPro e-mails: (\S+)/.exec(mail.text)?.[1];
    expect(all).toBeDefined();
    expect(mail.html).toContain((all as string).replaceAll("&", "&amp;"));
    const res = await oneClick((all as string).replace("http://127.0.0.1:8787", APP));
    expect(res.status).toBe(200);
    expect(Object.values(await preferences(who)).every((on) => on === false)).toBe(true);
  });

  it("a tampered or malformed link is a 400 and changes nothing", async () => {
    const who = await creator(db, "pro");
    const url = linkOf(await mailFor(who));
    const token = decodeURIComponent(new URL(url).searchParams.get("token") as string);
    const [kid, userId, , mac] = token.split(".") as [string, string, string, string];
    const flipped = `${mac.slice(0, -2)}${mac.at(-2) === "A" ? "B" : "A"}${mac.at(-1)}`;
    const tampered = [
      `${kid}.${userId}.test_paused.${flipped}`,
      `${kid}.${userId}.all.${mac}`, // another scope under the same signature
      `${kid}.${crypto.randomUUID()}.test_paused.${mac}`, // someone else
      `9.${userId}.test_paused.${mac}`, // a key we do not hold
      "garbage",
    ];
    for (const t of tampered) {
      const link = `${APP}/api/unsubscribe?token=${encodeURIComponent(t)}`;
      // A browser gets a page saying so; any other client the API's JSON error.
      const page = await SELF.fetch(link, { headers: { accept: "text/html" } });
      expect(page.status).toBe(400);
      expect(await page.text()).toContain("Link not valid");
      const api = await SELF.fetch(link);
      expect(api.status).toBe(400);
      expect(((await api.json()) as { error: { code: string } }).error.code).toBe("bad_request");
      const res = await oneClick(link);
      expect(res.status).toBe(400);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe("bad_request");
    }
    expect((await oneClick(`${APP}/api/unsubscribe`)).status).toBe(400);
    expect(await preferences(who)).toEqual(defaultPreferences);
  });
});
