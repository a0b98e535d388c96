import { Hono } from "hono";
import type { EmulatorAppEnv } from "../env";
import { answer, bodyRecord, emulatorState, queryRecord } from "./answer";

function bearer(header: string | undefined): string {
  return header?.match(/^Bearer\s+(.+)$/i)?.[1]?.trim() ?? "";
}

function basicCredentials(
  header: string | undefined,
): { clientId: string; clientSecret: string } | undefined {
  const encoded = header?.match(/^Basic\s+(.+)$/i)?.[1];
  if (!encoded) return undefined;
  try {
    const [id, secret] = atob(encoded).split(":");
    return { clientId: decodeURIComponent(id ?? ""), clientSecret: decodeURIComponent(secret ?? "") };
  } catch {
    return undefined;
  }
}

/**
 * Google OAuth 2.0 on Google's paths: accounts.google.com/o/oauth2/v2/auth,
 * oauth2.googleapis.com/token and /revoke, www.googleapis.com/oauth2/v3/{certs,userinfo}.
 * Parameters are validated by the object, which answers with Google's own error shapes.
 */
export const oauthRoutes = new Hono<EmulatorAppEnv>()
  .get("/o/oauth2/v2/auth", async (c) => {
    const self = new URL(c.req.url);
    return answer(await emulatorState(c.env).authorize(queryRecord(c), `${self.origin}${self.pathname}`));
  })
  .post("/token", async (c) => {
    const issuer = c.env.ISSUER || new URL(c.req.url).origin;
    return answer(
      await emulatorState(c.env).token(
        await bodyRecord(c),
        issuer,
        basicCredentials(c.req.header("authorization")),
      ),
    );
  })
  .post("/revoke", async (c) => {
    const token = c.req.query("token") ?? (await bodyRecord(c)).token ?? "";
    return answer(await emulatorState(c.env).revoke(token));
  })
  .get("/oauth2/v3/certs", async (c) => answer(await emulatorState(c.env).jwks()))
  .on(["GET", "POST"], "/oauth2/v3/userinfo", async (c) => {
    const token = bearer(c.req.header("authorization")) || c.req.query("access_token") || "";
    return answer(await emulatorState(c.env).userinfo(token));
  });
