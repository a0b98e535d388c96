import { html, raw } from "hono/html";
import type { SunkMail } from "./sink";

const STYLE = raw(`<style>
  body { font: 15px/1.5 system-ui, sans-serif; margin: 2rem auto; max-width: 60rem; padding: 0 1rem; }
  table { border-collapse: collapse; width: 100%; } td, th { border-bottom: 1px solid #ddd; padding: .4rem; text-align: left; }
  pre { white-space: pre-wrap; background: #f6f6f6; padding: 1rem; }
  iframe { width: 100%; height: 32rem; border: 1px solid #ddd; }
</style>`);

/** The inbox: every mail the sink holds, newest first, each a link to its page. */
export function inboxPage(mails: readonly SunkMail[]): string {
  const rows = mails.map(
    (m) =>
      html`<tr><td>${m.at}</td><td>${m.to.join(", ")}</td><td><a href="/__emulator/mail/inbox/${m.id}">${m.subject}</a></td></tr>`,
  );
  return html`<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Mail sink</title>${STYLE}</head>
<body><h1>Mail sink</h1><p>${mails.length} mail(s) sent by the app locally. JSON: <a href="/__emulator/mail">/__emulator/mail</a></p>
<table><thead><tr><th>When</th><th>To</th><th>Subject</th></tr></thead><tbody>${rows}</tbody></table></body></html>`.toString();
}

/** One mail: its headers, its text part and its HTML part (sandboxed: no scripts, no forms). */
export function mailPage(mail: SunkMail): string {
  const headers = Object.entries(mail.headers).map(([k, v]) => html`<tr><th>${k}</th><td>${v}</td></tr>`);
  return html`<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${mail.subject}</title>${STYLE}</head>
<body><p><a href="/__emulator/mail/inbox">← Inbox</a></p><h1>${mail.subject}</h1>
<table><tr><th>From</th><td>${mail.from}</td></tr><tr><th>To</th><td>${mail.to.join(", ")}</td></tr>
<tr><th>Sent</th><td>${mail.at}</td></tr>${headers}</table>
<h2>HTML part</h2><iframe title="HTML part" sandbox="allow-popups allow-top-navigation-by-user-activation" srcdoc="${mail.html ?? ""}"></iframe>
<h2>Text part</h2><pre>${mail.text ?? ""}</pre></body></html>`.toString();
}
