import { html } from "hono/html";

/** What a template says; the layout turns it into the mail's two parts. */
export interface MailContent {
  subject: string;
  /** Paragraphs of plain text (escaped in the HTML part). */
  paragraphs: string[];
  /** Lines of a list (the digest's tests), each with its link. */
  items?: { text: string; url: string }[];
  /** The one thing to do next: the test's page, the account page. */
  action: { label: string; url: string };
}

/** The links every mail ends with. */
export interface MailFooter {
  /** Why they get this mail (`You get this because "A test found its winner" is on.`). */
  reason: string;
  preferencesUrl: string;
  unsubscribeUrl: string;
  unsubscribeAllUrl: string;
}

/** The text and HTML parts of a mail: the same words, the same links, in both. */
export function renderParts(content: MailContent, footer: MailFooter): { text: string; html: string } {
  const items = content.items ?? [];
  const text = [
    ...content.paragraphs,
    ...(items.length > 0 ? [items.map((i) => `- ${i.text}\n  ${i.url}`).join("\n")] : []),
    `${content.action.label}: ${content.action.url}`,
    "--",
    footer.reason,
    `Choose which e-mails you get: ${footer.preferencesUrl}`,
    `Unsubscribe from these: ${footer.unsubscribeUrl}`,
    `Unsubscribe from all TitleTesterPro e-mails: ${footer.unsubscribeAllUrl}`,
  ].join("\n\n");
  const body = html`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${content.subject}</title></head>
<body style="font-family:system-ui,sans-serif;line-height:1.5;color:#1a1a1a;max-width:36rem;margin:0 auto;padding:1rem">
${content.paragraphs.map((p) => html`<p>${p}</p>\n`)}${
  items.length > 0 ? html`<ul>${items.map((i) => html`<li><a href="${i.url}">${i.text}</a></li>`)}</ul>` : ""
}
<p><a href="${content.action.url}" style="display:inline-block;background:#c4302b;color:#fff;padding:.6rem 1rem;border-radius:6px;text-decoration:none">${content.action.label}</a></p>
<p style="font-size:13px;color:#555">${content.action.label}: <a href="${content.action.url}">${content.action.url}</a></p>
<hr><p style="font-size:13px;color:#555">${footer.reason}
<a href="${footer.preferencesUrl}">Choose which e-mails you get</a> ·
<a href="${footer.unsubscribeUrl}">Unsubscribe from these</a> ·
<a href="${footer.unsubscribeAllUrl}">Unsubscribe from all</a></p>
</body></html>`;
  return { text, html: body.toString() };
}
