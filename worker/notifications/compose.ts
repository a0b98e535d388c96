import { and, desc, eq, gte, inArray, or } from "drizzle-orm";
import { liveTestStatuses, tests, titles, users } from "../../schema";
import type { Db } from "../db/client";
import { openHttpDb, readsFor } from "../db/http";
import { DEFAULT_MAIL_FROM } from "../mail/endpoint";
import type { MailMessage } from "../mail/message";
import { ownTestResults } from "../title-tests/read-batches";
import type { NotificationEvent } from "./events";
import { kindLabels, type NotificationKind } from "./kinds";
import { mailLinkOrigin } from "./link-origin";
import { type MailContent, renderParts } from "./templates/layout";
import { paymentFailedMail } from "./templates/payment-failed";
import { pausedMail } from "./templates/test-paused";
import { inconclusiveMail, winnerMail } from "./templates/test-verdict";
import { type DigestTest, weeklyDigestMail } from "./templates/weekly-digest";
import { unsubscribeToken } from "./unsubscribe-token";

/** A mail ready to send, and whose it is. */
export interface ComposedMail {
  userId: string;
  message: MailMessage;
}

const WEEK_MS = 7 * 86_400_000;

/** The page that shows a test: every test mail links to it. */
const testUrl = (origin: string, testId: string) => `${origin}/tests/${testId}`;

/** The test's row and its owner's address, or null when either is gone. */
async function testAndOwner(db: Db, testId: string) {
  const [row] = await db
    .select({ test: tests, email: users.email })
    .from(tests)
    .innerJoin(users, eq(users.id, tests.userId))
    .where(eq(tests.id, testId));
  return row ?? null;
}

/** What the mail of `event` says, for its owner; null when its test or user no longer exists. */
async function contentOf(
  db: Db,
  env: Env,
  event: NotificationEvent,
  origin: string,
): Promise<{ userId: string; email: string; content: MailContent } | null> {
  switch (event.kind) {
    case "test_winner":
    case "test_inconclusive": {
      const found = await testAndOwner(db, event.testId);
      if (!found) return null;
      const { test, email } = found;
      // The results page's own reading of the test: the same words for what it ruled out.
      const { results } = await ownTestResults(readsFor(openHttpDb(env).freshReads, test.userId), test.id);
      const variants = await db.select().from(titles).where(eq(titles.testId, test.id));
      const winner = variants.find((t) => t.variant === test.winnerVariant)?.text ?? null;
      const facts = {
        videoTitle: test.videoTitleOriginal,
        metric: test.metric,
        decision: test.decision === "winner" || test.decision === "same" ? test.decision : "inconclusive",
        winnerTitle: winner,
        winnerLift: test.winnerLift,
        applied: test.winnerVariant !== null && test.finalVariant === test.winnerVariant,
        autoApply: test.autoApply,
        knows: results.whatTheTestKnows.message,
        testUrl: testUrl(origin, test.id),
      } as const;
      const content = event.kind === "test_winner" ? winnerMail(facts) : inconclusiveMail(facts);
      return { userId: test.userId, email, content };
    }
    case "test_paused": {
      const found = await testAndOwner(db, event.testId);
      if (!found) return null;
      const content = pausedMail({
        videoTitle: found.test.videoTitleOriginal,
        reason: event.reason,
        until: event.until ?? null,
        testUrl: testUrl(origin, found.test.id),
      });
      return { userId: found.test.userId, email: found.email, content };
    }
    case "payment_failed": {
      const [user] = await db.select({ email: users.email }).from(users).where(eq(users.id, event.userId));
      if (!user) return null;
      const content = paymentFailedMail({ graceEndsAt: event.graceEndsAt, accountUrl: `${origin}/account` });
      return { userId: event.userId, email: user.email, content };
    }
    case "weekly_digest": {
      const [user] = await db.select({ email: users.email }).from(users).where(eq(users.id, event.userId));
      if (!user) return null;
      const content = weeklyDigestMail({
        week: event.week,
        tests: await digestTests(db, event.userId, origin),
        dashboardUrl: `${origin}/dashboard`,
      });
      return { userId: event.userId, email: user.email, content };
    }
  }
}

/** The creator's live tests and those that ended in the last seven days, newest first. */
async function digestTests(db: Db, userId: string, origin: string): Promise<DigestTest[]> {
  const rows = await db
    .select()
    .from(tests)
    .where(
      and(
        eq(tests.userId, userId),
        or(inArray(tests.status, liveTestStatuses), gte(tests.finishedAt, new Date(Date.now() - WEEK_MS))),
      ),
    )
    .orderBy(desc(tests.updatedAt))
    .limit(50);
  return rows.map((t) => ({
    videoTitle: t.videoTitleOriginal,
    state:
      t.decision === "winner" && t.status === "completed"
        ? `found its winner${t.winnerLift === null ? "" : ` (${t.winnerLift >= 0 ? "+" : "−"}${Math.abs(Math.round(100 * t.winnerLift))} %)`}`
        : t.status === "completed"
          ? "ended without a winner"
          : t.status.replace("_", " "),
    url: testUrl(origin, t.id),
  }));
}

/**
 * The whole mail of `event`: both parts from its template, every link to this app's origin, and
 * the one-click unsubscribe headers (RFC 8058) for its kind. Null when there is no one to mail.
 */
export async function composeMail(db: Db, env: Env, event: NotificationEvent): Promise<ComposedMail | null> {
  const origin = mailLinkOrigin(env);
  const found = await contentOf(db, env, event, origin);
  if (!found) return null;
  const kind: NotificationKind = event.kind;
  const link = async (scope: NotificationKind | "all") =>
    `${origin}/api/unsubscribe?token=${encodeURIComponent(await unsubscribeToken(env, found.userId, scope))}`;
  const unsubscribeUrl = await link(kind);
  const parts = renderParts(found.content, {
    reason: `You get this e-mail because "${kindLabels[kind]}" is on in your TitleTesterPro account.`,
    preferencesUrl: `${origin}/account#notifications`,
    unsubscribeUrl,
    unsubscribeAllUrl: await link("all"),
  });
  return {
    userId: found.userId,
    message: {
      from: env.MAIL_FROM || DEFAULT_MAIL_FROM,
      to: found.email,
      subject: found.content.subject,
      ...parts,
      headers: {
        "List-Unsubscribe": `<${unsubscribeUrl}>`,
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
      },
    },
  };
}
