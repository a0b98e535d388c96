import { SELF } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { unique } from "../shared/unique-names";

/**
 * The mail sink's contract: Resend's `POST /emails` (bearer key, body, idempotency key and error
 * envelope `{ statusCode, name, message }`), and what landed under /__emulator/mail.
 */

const ORIGIN = "http://emulator.test";
const KEY = "re_emulator_only_local_key";

interface ResendErrorBody {
  statusCode: number;
  name: string;
  message: string;
}
interface SunkMail {
  id: string;
  to: string[];
  subject: string;
  text: string | null;
  html: string | null;
  headers: Record<string, string>;
}

function send(body: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return SELF.fetch(`${ORIGIN}/emails`, {
    method: "POST",
    headers: { authorization: `Bearer ${KEY}`, "content-type": "application/json", ...headers },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
}

async function inboxOf(to: string): Promise<SunkMail[]> {
  const res = await SELF.fetch(`${ORIGIN}/__emulator/mail?to=${encodeURIComponent(to)}`);
  expect(res.status).toBe(200);
  return ((await res.json()) as { mails: SunkMail[] }).mails;
}

const mailTo = (to: string, extra: Record<string, unknown> = {}) => ({
  from: "TitleTesterPro <notifications@titletesterpro.com>",
  to: [to],
  subject: "Your test found its winner",
  text: "Plain part",
  html: "<p>HTML part</p>",
  headers: { "List-Unsubscribe": "<https://app.example/u>" },
  ...extra,
});

const address = () => `${unique("mail")}@example.com`;

describe("POST /emails", () => {
  it("accepts a mail as Resend does and shows it newest first with both parts and its headers", async () => {
    const to = address();
    const first = await send(mailTo(to, { subject: "First" }));
    expect(first.status).toBe(200);
    const { id } = (await first.json()) as { id: string };
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    await send(mailTo(to, { subject: "Second" }));
    const mails = await inboxOf(to);
    expect(mails.map((m) => m.subject)).toEqual(["Second", "First"]);
    expect(mails[1]).toMatchObject({
      id,
      to: [to],
      text: "Plain part",
      html: "<p>HTML part</p>",
      headers: { "List-Unsubscribe": "<https://app.example/u>" },
    });
  });

  it("answers the first mail's id to a repeated idempotency key and stores nothing more", async () => {
    const to = address();
    const headers = { "idempotency-key": `test:${unique("t")}:winner` };
    const a = (await (await send(mailTo(to), headers)).json()) as { id: string };
    const again = await send(mailTo(to), headers);
    expect(again.status).toBe(200);
    expect(((await again.json()) as { id: string }).id).toBe(a.id);
    expect(await inboxOf(to)).toHaveLength(1);
    const other = await send(mailTo(to, { subject: "Another body" }), headers);
    expect(other.status).toBe(409);
    expect(((await other.json()) as ResendErrorBody).name).toBe("invalid_idempotent_request");
    expect(await inboxOf(to)).toHaveLength(1);
  });
});

describe("bad input gets Resend's error envelope and stores nothing", () => {
  const cases: [string, () => Promise<Response>, number, string][] = [
    [
      "no API key",
      () => SELF.fetch(`${ORIGIN}/emails`, { method: "POST", body: "{}" }),
      401,
      "missing_api_key",
    ],
    [
      "a wrong API key",
      () => send(mailTo("x@example.com"), { authorization: "Bearer re_wrong" }),
      403,
      "invalid_api_key",
    ],
    ["a body that is not JSON", () => send("{not json"), 422, "validation_error"],
    ["no recipient", () => send(mailTo("x@example.com", { to: undefined })), 422, "missing_required_field"],
    ["no subject", () => send(mailTo("x@example.com", { subject: "" })), 422, "missing_required_field"],
    ["a malformed address", () => send(mailTo("not-an-address")), 422, "validation_error"],
    [
      "neither text nor html",
      () => send(mailTo("x@example.com", { text: undefined, html: undefined })),
      422,
      "missing_required_field",
    ],
    [
      "headers that are not strings",
      () => send(mailTo("x@example.com", { headers: { a: 1 } })),
      422,
      "validation_error",
    ],
    [
      "an idempotency key over 256 characters",
      () => send(mailTo("x@example.com"), { "idempotency-key": "k".repeat(257) }),
      400,
      "invalid_idempotency_key",
    ],
  ];
  for (const [what, request, status, name] of cases) {
    it(`refuses ${what}: ${status} ${name}`, async () => {
      const before = (await inboxOf("x@example.com")).length;
      const res = await request();
      expect(res.status).toBe(status);
      const body = (await res.json()) as ResendErrorBody;
      expect(body).toEqual({ statusCode: status, name, message: expect.any(String) });
      expect(body.message.length).toBeGreaterThan(0);
      expect((await inboxOf("x@example.com")).length).toBe(before);
    });
  }
});

describe("the inbox page", () => {
  it("lists each mail and shows one with its parts, escaping what the mail carries", async () => {
    const to = address();
    const { id } = (await (await send(mailTo(to, { subject: "<b>Escaped</b> subject" }))).json()) as {
      id: string;
    };
    const list = await SELF.fetch(`${ORIGIN}/__emulator/mail/inbox`);
    expect(list.headers.get("content-type")).toContain("text/html");
    const page = await list.text();
    expect(page).toContain(`/__emulator/mail/inbox/${id}`);
    expect(page).toContain("&lt;b&gt;Escaped&lt;/b&gt; subject");
    const one = await (await SELF.fetch(`${ORIGIN}/__emulator/mail/inbox/${id}`)).text();
    expect(one).toContain("Plain part");
    expect(one).toContain('srcdoc="&lt;p&gt;HTML part&lt;/p&gt;"');
    expect((await SELF.fetch(`${ORIGIN}/__emulator/mail/inbox/nope`)).status).toBe(404);
  });
});
