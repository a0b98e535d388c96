import type { MailContent } from "./layout";

/** A payment failed: what to do, and by when. */
export function paymentFailedMail(f: { graceEndsAt: string; accountUrl: string }): MailContent {
  const by = new Date(f.graceEndsAt).toLocaleDateString("en-GB", { dateStyle: "long", timeZone: "UTC" });
  return {
    subject: "Your TitleTesterPro payment did not go through",
    paragraphs: [
      "We could not take your last payment for TitleTesterPro.",
      `Update your payment method by ${by} to keep your plan; after that your account moves to the free plan and tests beyond its limits pause.`,
    ],
    action: { label: "Update your payment method", url: f.accountUrl },
  };
}
