import type { MailContent } from "./layout";

/** One test in the digest. */
export interface DigestTest {
  videoTitle: string;
  /** Its state in words ("running", "found its winner: +12 %"). */
  state: string;
  url: string;
}

/** The weekly digest: the creator's live tests and those that ended this week. */
export function weeklyDigestMail(f: {
  week: string;
  tests: DigestTest[];
  dashboardUrl: string;
}): MailContent {
  return {
    subject: `Your week on TitleTesterPro (${f.week})`,
    paragraphs: [
      f.tests.length === 0
        ? "No test ran this week. Start one from your dashboard."
        : `Your tests this week (${f.tests.length}):`,
    ],
    items: f.tests.map((t) => ({ text: `"${t.videoTitle}": ${t.state}`, url: t.url })),
    action: { label: "Open your dashboard", url: f.dashboardUrl },
  };
}
