import { base64url } from "jose";
import { type AccountRow, findAccount, listAccounts } from "./catalog";
import { oauthError } from "./google-errors";
import { randomId } from "./ids";
import type { ProjectRow } from "./quota";
import { json, type Reply } from "./reply";
import { type SigningKey, signIdToken } from "./signing-key";

/**
 * Google's OAuth 2.0 endpoints: the consent page (/o/oauth2/v2/auth), the token endpoint
 * (authorization_code with PKCE, refresh_token), revocation and userinfo. Access and refresh
 * tokens are opaque strings stored with the grant they belong to; revoking any token of a grant
 * revokes the grant, as Google does.
 */

const CODE_TTL_MS = 10 * 60_000;

/** The holder of a valid access token. */
export interface AccessHolder {
  sub: string;
  clientId: string;
  scope: string;
}

function projectByClient(sql: SqlStorage, clientId: string): ProjectRow | undefined {
  return sql.exec<ProjectRow>("SELECT * FROM projects WHERE client_id = ?", clientId).toArray()[0];
}

function htmlPage(status: number, title: string, body: string): Reply {
  const page = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${title}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>body{font-family:system-ui,sans-serif;max-width:28rem;margin:3rem auto;padding:0 1rem}
a.account{display:block;padding:.8rem 1rem;margin:.5rem 0;border:1px solid #ccc;border-radius:.5rem;text-decoration:none;color:inherit}
a.account:hover{background:#f3f6fc}small{color:#555}</style></head><body>${body}</body></html>`;
  return { status, body: page, contentType: "text/html; charset=utf-8" };
}

const escapeHtml = (s: string) =>
  s.replace(
    /[&<>"']/g,
    (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c] as string,
  );

/** GET /o/oauth2/v2/auth: the consent page, or straight to the redirect when `login_hint` names an account. */
export function authorize(
  sql: SqlStorage,
  params: Record<string, string>,
  selfUrl: string,
  nowReal: number,
): Reply {
  const clientId = params.client_id ?? "";
  const project = projectByClient(sql, clientId);
  if (!project) {
    return htmlPage(
      401,
      "Error 401: invalid_client",
      `<h1>Access blocked: authorization error</h1><p>The OAuth client was not found.</p><p><small>Error 401: invalid_client</small></p>`,
    );
  }
  const redirectUri = params.redirect_uri ?? "";
  const allowed = JSON.parse(project.redirect_uris) as string[];
  if (!/^https?:\/\//.test(redirectUri) || (allowed.length > 0 && !allowed.includes(redirectUri))) {
    return htmlPage(
      400,
      "Error 400: redirect_uri_mismatch",
      `<h1>Access blocked: this app's request is invalid</h1><p><small>Error 400: redirect_uri_mismatch</small></p>`,
    );
  }
  const back = (query: Record<string, string>): Reply => {
    const url = new URL(redirectUri);
    for (const [k, v] of Object.entries(query)) url.searchParams.set(k, v);
    if (params.state !== undefined) url.searchParams.set("state", params.state);
    return { status: 302, body: "", headers: { location: url.toString() } };
  };
  if (params.response_type !== "code") return back({ error: "unsupported_response_type" });
  const scope = (params.scope ?? "").trim();
  if (!scope)
    return back({ error: "invalid_request", error_description: "Missing required parameter: scope" });
  if (
    params.code_challenge &&
    (params.code_challenge_method ?? "plain") !== "S256" &&
    params.code_challenge_method !== "plain"
  ) {
    return back({ error: "invalid_request", error_description: "Invalid code_challenge_method" });
  }
  const account = params.login_hint ? findAccount(sql, params.login_hint) : undefined;
  if (!account) return consentPage(sql, params, selfUrl);
  const code = `4/${randomId(60)}`;
  sql.exec(
    `INSERT INTO auth_codes (code, client_id, sub, redirect_uri, scope, code_challenge, code_challenge_method, nonce, offline, expires_real)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    code,
    clientId,
    account.sub,
    redirectUri,
    expandScope(scope),
    params.code_challenge ?? null,
    params.code_challenge ? (params.code_challenge_method ?? "plain") : null,
    params.nonce ?? null,
    params.access_type === "offline" ? 1 : 0,
    nowReal + CODE_TTL_MS,
  );
  return back({ code, scope: expandScope(scope) });
}

/** Google answers short scope names with their full URLs (openid stays as is). */
function expandScope(scope: string): string {
  return scope
    .split(/\s+/)
    .map((s) => (s === "email" || s === "profile" ? `https://www.googleapis.com/auth/userinfo.${s}` : s))
    .join(" ");
}

function consentPage(sql: SqlStorage, params: Record<string, string>, selfUrl: string): Reply {
  const accounts = listAccounts(sql);
  const links = accounts
    .map((a) => {
      const url = new URL(selfUrl);
      url.search = new URLSearchParams({ ...params, login_hint: a.email }).toString();
      return `<a class="account" href="${escapeHtml(url.toString())}"><strong>${escapeHtml(a.name)}</strong><br><small>${escapeHtml(a.email)}</small></a>`;
    })
    .join("");
  return htmlPage(
    200,
    "Sign in – Google Accounts (emulator)",
    `<h1>Choose an account</h1><p><small>Local Google emulator — no password needed.</small></p>${links || "<p>No accounts yet: POST /__emulator/seed.</p>"}`,
  );
}

async function s256(verifier: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(verifier));
  return base64url.encode(new Uint8Array(digest));
}

/** Everything the token endpoint needs besides the form. */
export interface TokenContext {
  key: SigningKey;
  issuer: string;
  accessTokenTtlSeconds: number;
  nowReal: number;
  /** `Authorization: Basic` credentials, if the client sent them that way. */
  basic?: { clientId: string; clientSecret: string };
}

/** POST /token. */
export async function token(
  sql: SqlStorage,
  form: Record<string, string>,
  ctx: TokenContext,
): Promise<Reply> {
  const clientId = ctx.basic?.clientId ?? form.client_id ?? "";
  const clientSecret = ctx.basic?.clientSecret ?? form.client_secret ?? "";
  const project = projectByClient(sql, clientId);
  if (!project) return oauthError(401, "invalid_client", "The OAuth client was not found.");
  if (project.client_secret !== clientSecret) return oauthError(401, "invalid_client", "Unauthorized");
  if (project.access_token_ttl_seconds)
    ctx = { ...ctx, accessTokenTtlSeconds: project.access_token_ttl_seconds };

  if (form.grant_type === "authorization_code") {
    const code = sql
      .exec<{
        code: string;
        client_id: string;
        sub: string;
        redirect_uri: string;
        scope: string;
        code_challenge: string | null;
        code_challenge_method: string | null;
        nonce: string | null;
        offline: number;
        expires_real: number;
        used: number;
      }>("SELECT * FROM auth_codes WHERE code = ?", form.code ?? "")
      .toArray()[0];
    if (!code || code.used || code.expires_real < ctx.nowReal || code.client_id !== clientId) {
      return oauthError(400, "invalid_grant", "Malformed auth code.");
    }
    if (code.redirect_uri !== form.redirect_uri)
      return oauthError(400, "redirect_uri_mismatch", "Bad Request");
    if (code.code_challenge) {
      const verifier = form.code_verifier;
      if (!verifier) return oauthError(400, "invalid_grant", "Missing code verifier.");
      const expected = code.code_challenge_method === "S256" ? await s256(verifier) : verifier;
      if (expected !== code.code_challenge) return oauthError(400, "invalid_grant", "Invalid code verifier.");
    }
    sql.exec("UPDATE auth_codes SET used = 1 WHERE code = ?", code.code);
    const grantId = crypto.randomUUID();
    const refresh = code.offline ? `1//${randomId(100)}` : undefined;
    if (refresh) {
      sql.exec(
        "INSERT INTO tokens (token, kind, grant_id, client_id, sub, scope, nonce, expires_real) VALUES (?, 'refresh', ?, ?, ?, ?, ?, NULL)",
        refresh,
        grantId,
        clientId,
        code.sub,
        code.scope,
        code.nonce,
      );
    }
    return issueAccess(
      sql,
      { grantId, clientId, sub: code.sub, scope: code.scope, nonce: code.nonce, refresh },
      ctx,
    );
  }

  if (form.grant_type === "refresh_token") {
    const row = sql
      .exec<{ grant_id: string; client_id: string; sub: string; scope: string; revoked: number }>(
        "SELECT grant_id, client_id, sub, scope, revoked FROM tokens WHERE token = ? AND kind = 'refresh'",
        form.refresh_token ?? "",
      )
      .toArray()[0];
    if (!row || row.revoked || row.client_id !== clientId) {
      return oauthError(400, "invalid_grant", "Token has been expired or revoked.");
    }
    // The nonce belongs to the sign-in, not to refreshes: Google leaves it out.
    return issueAccess(
      sql,
      { grantId: row.grant_id, clientId, sub: row.sub, scope: row.scope, nonce: null },
      ctx,
    );
  }

  return oauthError(400, "unsupported_grant_type", `Invalid grant_type: ${form.grant_type ?? ""}`);
}

async function issueAccess(
  sql: SqlStorage,
  grant: {
    grantId: string;
    clientId: string;
    sub: string;
    scope: string;
    nonce: string | null;
    refresh?: string;
  },
  ctx: TokenContext,
): Promise<Reply> {
  const access = `ya29.${randomId(120)}`;
  sql.exec(
    "INSERT INTO tokens (token, kind, grant_id, client_id, sub, scope, nonce, expires_real) VALUES (?, 'access', ?, ?, ?, ?, NULL, ?)",
    access,
    grant.grantId,
    grant.clientId,
    grant.sub,
    grant.scope,
    ctx.nowReal + ctx.accessTokenTtlSeconds * 1000,
  );
  const body: Record<string, unknown> = {
    access_token: access,
    expires_in: ctx.accessTokenTtlSeconds,
    ...(grant.refresh ? { refresh_token: grant.refresh } : {}),
    scope: grant.scope,
    token_type: "Bearer",
  };
  if (grant.scope.split(" ").includes("openid")) {
    const account = findAccount(sql, grant.sub) as AccountRow;
    body.id_token = await signIdToken(
      ctx.key,
      idClaims(account, grant.clientId, grant.nonce),
      ctx.issuer,
      grant.clientId,
      3600,
    );
  }
  return json(200, body, {
    "cache-control": "no-cache, no-store, max-age=0, must-revalidate",
    pragma: "no-cache",
  });
}

function idClaims(account: AccountRow, clientId: string, nonce: string | null): Record<string, unknown> {
  const [given, ...rest] = account.name.split(" ");
  return {
    azp: clientId,
    sub: account.sub,
    email: account.email,
    email_verified: true,
    name: account.name,
    picture: account.picture,
    given_name: given ?? account.name,
    ...(rest.length ? { family_name: rest.join(" ") } : {}),
    ...(nonce ? { nonce } : {}),
  };
}

/** POST /revoke: revokes the whole grant of an access or refresh token. */
export function revoke(sql: SqlStorage, tokenValue: string): Reply {
  const row = sql
    .exec<{ grant_id: string; revoked: number }>(
      "SELECT grant_id, revoked FROM tokens WHERE token = ?",
      tokenValue,
    )
    .toArray()[0];
  if (!row || row.revoked) return oauthError(400, "invalid_token", "Token expired or revoked");
  sql.exec("UPDATE tokens SET revoked = 1 WHERE grant_id = ?", row.grant_id);
  return json(200, {});
}

/** Revokes every token of an account (admin fault: the user removed the app's access). */
export function revokeAccount(sql: SqlStorage, sub: string): number {
  return sql.exec("UPDATE tokens SET revoked = 1 WHERE sub = ? AND revoked = 0", sub).rowsWritten;
}

/** The holder of a live access token, if it is one. */
export function resolveAccess(
  sql: SqlStorage,
  accessToken: string,
  nowReal: number,
): AccessHolder | undefined {
  const row = sql
    .exec<{ sub: string; client_id: string; scope: string; expires_real: number; revoked: number }>(
      "SELECT sub, client_id, scope, expires_real, revoked FROM tokens WHERE token = ? AND kind = 'access'",
      accessToken,
    )
    .toArray()[0];
  if (!row || row.revoked || row.expires_real <= nowReal) return undefined;
  return { sub: row.sub, clientId: row.client_id, scope: row.scope };
}

/** GET /oauth2/v3/userinfo. */
export function userinfo(sql: SqlStorage, accessToken: string, nowReal: number): Reply {
  const holder = resolveAccess(sql, accessToken, nowReal);
  if (!holder) {
    return json(
      401,
      { error: "invalid_request", error_description: "Invalid Credentials" },
      { "www-authenticate": 'Bearer realm="https://accounts.google.com/", error="invalid_token"' },
    );
  }
  const account = findAccount(sql, holder.sub) as AccountRow;
  const claims = idClaims(account, holder.clientId, null);
  const { azp: _azp, ...profile } = claims;
  return json(200, profile);
}
