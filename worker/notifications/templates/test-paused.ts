import type { PauseReason } from "../kinds";
import type { MailContent } from "./layout";

/** What a paused test's mail needs to know. */
export interface PauseFacts {
  videoTitle: string;
  reason: PauseReason;
  /** A quota wait: when the test goes on (ISO). */
  until: string | null;
  testUrl: string;
}

const day = (iso: string) =>
  new Date(iso).toLocaleString("en-GB", { dateStyle: "medium", timeStyle: "short", timeZone: "UTC" });

/** A test paused for its creator: why, and what brings it back. */
export function pausedMail(f: PauseFacts): MailContent {
  const on = `Your title test on "${f.videoTitle}"`;
  switch (f.reason) {
    case "title_edited":
      return {
        subject: `Your title test paused: the title was changed in YouTube Studio`,
        paragraphs: [
          `${on} paused: the video's title was changed outside TitleTesterPro (in YouTube Studio). We left that title alone.`,
          "Resume the test from its page when you want it to rotate titles again.",
        ],
        action: { label: "Open the test", url: f.testUrl },
      };
    case "google_access_lost":
      return {
        subject: "Your title tests paused: TitleTesterPro lost access to your channel",
        paragraphs: [
          `Google no longer lets TitleTesterPro change your videos' titles (the access was removed or expired), so your live tests paused, among them the one on "${f.videoTitle}".`,
          "Sign in again with Google and they go on by themselves.",
        ],
        action: { label: "Sign in again", url: f.testUrl },
      };
    case "quota_wait":
      return {
        subject: "Your title test is waiting for YouTube's quota",
        paragraphs: [
          `${on} has been waiting for YouTube's API quota for more than a day.`,
          f.until
            ? `It goes on by itself around ${day(f.until)} UTC; nothing is lost meanwhile.`
            : "It goes on by itself when quota is back; nothing is lost meanwhile.",
        ],
        action: { label: "Open the test", url: f.testUrl },
      };
    case "plan_downgrade":
      return {
        subject: "Your title test paused: your plan changed",
        paragraphs: [
          `${on} paused because your plan no longer allows it to run.`,
          "Upgrade your plan, or end another test and resume this one from its page.",
        ],
        action: { label: "Open the test", url: f.testUrl },
      };
  }
}
