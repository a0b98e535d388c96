import { Hono } from "hono";
import { html } from "hono/html";
import { z } from "zod";
import type { AppEnv } from "../context";
import { AppError } from "../errors";
import { limitPerUser } from "../middleware/rate-limit";
import { requireUser, userOf } from "../middleware/session";
import { kindLabels, type NotificationKind, notificationKinds } from "../notifications/kinds";
import { changePreferences, preferencesOf, unsubscribe } from "../notifications/preferences";
import { readUnsubscribeToken, type UnsubscribeScope } from "../notifications/unsubscribe-token";
import { validate } from "../validation";

/** A change of preferences: any of the kinds, each on or off, and nothing else. */
const preferencesChange = z
  .strictObject(
    Object.fromEntries(notificationKinds.map((k) => [k, z.boolean().optional()])) as {
      [K in NotificationKind]: z.ZodOptional<z.ZodBoolean>;
    },
  )
  .refine((v) => Object.values(v).some((x) => x !== undefined), "Name at least one kind of e-mail");

const tokenQuery = z.object({ token: z.string().min(1).max(300) });

const scopeWords = (scope: UnsubscribeScope) =>
  scope === "all" ? "all TitleTesterPro e-mails" : `e-mails for "${kindLabels[scope]}"`;

const page = (title: string, body: unknown) =>
  html`<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width"><title>${title}</title></head><body><main><h1>${title}</h1>${body}</main></body></html>`;

const INVALID = "This unsubscribe link is not valid. Sign in and change your e-mails on your account page.";

/**
 * The creator's e-mail choices (`/me/notifications`, signed in) and the one-click unsubscribe
 * of the links in every mail (`/unsubscribe`, no session: the link's signature is the proof).
 * A GET only shows what the link would do (link scanners fetch links); a POST does it, which is
 * what mail clients send for `List-Unsubscribe-Post: List-Unsubscribe=One-Click`.
 */
export const notificationRoutes = new Hono<AppEnv>()
  .use("/me/notifications", requireUser, limitPerUser)
  .get("/me/notifications", async (c) => c.json(await preferencesOf(c.var.db(), userOf(c).id)))
  .put("/me/notifications", validate("json", preferencesChange), async (c) =>
    c.json(await changePreferences(c.var.db(), userOf(c).id, c.req.valid("json"))),
  )
  .get("/unsubscribe", validate("query", tokenQuery), async (c) => {
    const request = await readUnsubscribeToken(c.env, c.req.valid("query").token);
    if (!request) {
      // A browser following the mail's link gets a page; any other client the API's JSON error.
      if (c.req.header("accept")?.includes("text/html"))
        return c.html(page("Link not valid", html`<p>${INVALID}</p>`), 400);
      throw new AppError("bad_request", INVALID);
    }
    return c.html(
      page(
        "Unsubscribe",
        html`<p>Stop ${scopeWords(request.scope)}?</p><form method="post"><button type="submit">Unsubscribe</button></form><p><a href="/account#notifications">Choose on your account page instead</a></p>`,
      ),
    );
  })
  .post("/unsubscribe", validate("query", tokenQuery), async (c) => {
    const request = await readUnsubscribeToken(c.env, c.req.valid("query").token);
    if (!request) throw new AppError("bad_request", INVALID);
    const preferences = await unsubscribe(c.var.db(), request.userId, request.scope);
    // The confirmation page's own form wants a page back; a mail client's one-click POST, JSON.
    if (c.req.header("accept")?.includes("text/html"))
      return c.html(page("Unsubscribed", html`<p>You will get no more ${scopeWords(request.scope)}.</p>`));
    return c.json({ unsubscribed: request.scope, preferences });
  });
