import { Hono } from "hono";
import type { EmulatorAppEnv, EmulatorEnv } from "../env";
import { isReply, toResponse } from "../reply";
import { inboxPage, mailPage } from "./inbox-page";
import { invalidApiKey, invalidField, invalidIdempotencyKey, missingApiKey } from "./resend-errors";
import { checkSendInput } from "./send-input";

/** The one sink object (every mail lives in it). */
function mailSink(env: EmulatorEnv) {
  return env.MAIL_SINK.get(env.MAIL_SINK.idFromName("mail"));
}

/** Resend keeps idempotency keys of 1–256 characters. */
const MAX_IDEMPOTENCY_KEY = 256;

/**
 * The local mail provider: Resend's `POST /emails` (same path, bearer key, body and error
 * envelope), and under /__emulator/mail what landed: JSON newest first, an inbox page, a reset.
 */
export const mailRoutes = new Hono<EmulatorAppEnv>()
  .post("/emails", async (c) => {
    const auth = c.req.header("authorization");
    if (!auth?.startsWith("Bearer ")) return toResponse(missingApiKey());
    if (!c.env.MAIL_API_KEY || auth.slice("Bearer ".length) !== c.env.MAIL_API_KEY)
      return toResponse(invalidApiKey());
    const key = c.req.header("idempotency-key") ?? null;
    if (key !== null && (key.length < 1 || key.length > MAX_IDEMPOTENCY_KEY))
      return toResponse(invalidIdempotencyKey());
    const body: unknown = await c.req.json().catch(() => undefined);
    if (body === undefined) return toResponse(invalidField("The request body must be valid JSON."));
    const input = checkSendInput(body);
    if (isReply(input)) return toResponse(input);
    return toResponse(await mailSink(c.env).send(input, key));
  })
  .get("/__emulator/mail", async (c) => {
    const limit = Math.min(Math.max(Number(c.req.query("limit") ?? 100) || 100, 1), 1000);
    return c.json({ mails: await mailSink(c.env).list(c.req.query("to"), limit) });
  })
  .delete("/__emulator/mail", async (c) => c.json({ cleared: await mailSink(c.env).clear() }))
  .get("/__emulator/mail/inbox", async (c) => c.html(inboxPage(await mailSink(c.env).list(undefined, 200))))
  .get("/__emulator/mail/inbox/:id", async (c) => {
    const mail = await mailSink(c.env).get(c.req.param("id"));
    return mail ? c.html(mailPage(mail)) : c.html("<p>No such mail.</p>", 404);
  });
