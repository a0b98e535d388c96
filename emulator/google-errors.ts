import { json, type Reply } from "./reply";

/**
 * Google's error envelopes, as its APIs send them:
 * `{ "error": { "code", "message", "errors": [{ "message", "domain", "reason" }] } }` for the
 * Data and Analytics APIs, and `{ "error", "error_description" }` for the OAuth endpoints.
 */

/** One entry of `error.errors`. */
export interface GoogleErrorItem {
  message: string;
  domain: string;
  reason: string;
  location?: string;
  locationType?: string;
}

/** The header Google adds to a 401: which realm, and that the token was the problem. */
export const unauthorizedHeaders = (code: number): Record<string, string> | undefined =>
  code === 401
    ? { "www-authenticate": 'Bearer realm="https://accounts.google.com/", error="invalid_token"' }
    : undefined;

/** Google's message for a missing, bad, expired or revoked access token. */
export const INVALID_CREDENTIALS_MESSAGE =
  "Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential. See https://developers.google.com/identity/sign-in/web/devconsole-project.";

/** Google frontends' message for a server failure or rate limit (an injected fault). */
export function serverErrorMessage(status: number): string {
  if (status === 429) return "Resource has been exhausted (e.g. check quota).";
  if (status === 503) return "The service is currently unavailable.";
  return "Internal error encountered.";
}

/** A Data/Analytics API error reply. */
export function apiError(
  code: number,
  message: string,
  item: Omit<GoogleErrorItem, "message"> & { message?: string },
  status?: string,
): Reply {
  const error: Record<string, unknown> = {
    code,
    message,
    errors: [{ message: item.message ?? message, ...item }],
  };
  if (status) error.status = status;
  return json(code, { error }, unauthorizedHeaders(code));
}

const QUOTA_MESSAGE =
  'The request cannot be completed because you have exceeded your <a href="/youtube/v3/getting-started#quota">quota</a>.';

/** 403 quotaExceeded, exactly as YouTube sends it when a project's day is spent. */
export const quotaExceeded = (): Reply =>
  apiError(403, QUOTA_MESSAGE, { domain: "youtube.quota", reason: "quotaExceeded" });

/** 401 for a missing, bad, expired or revoked access token. */
export const invalidCredentials = (): Reply =>
  apiError(
    401,
    INVALID_CREDENTIALS_MESSAGE,
    {
      message: "Invalid Credentials",
      domain: "global",
      reason: "authError",
      location: "Authorization",
      locationType: "header",
    },
    "UNAUTHENTICATED",
  );

/** 401 for a call that needs a user but came with an API key only. */
export const loginRequired = (): Reply =>
  apiError(
    401,
    "Login Required.",
    {
      message: "Login Required.",
      domain: "global",
      reason: "required",
      location: "Authorization",
      locationType: "header",
    },
    "UNAUTHENTICATED",
  );

/** 400 keyInvalid for an API key no project owns. */
export const keyInvalid = (): Reply =>
  apiError(400, "Bad Request", { message: "Bad Request", domain: "usageLimits", reason: "keyInvalid" });

/** 403 for a request with neither a key nor a token. */
export const missingCredentials = (): Reply =>
  apiError(
    403,
    "The request is missing a valid API key.",
    { domain: "global", reason: "forbidden" },
    "PERMISSION_DENIED",
  );

/** 403 when the token lacks the scope the call needs. */
export const insufficientScope = (): Reply =>
  apiError(
    403,
    "Request had insufficient authentication scopes.",
    { message: "Insufficient Permission", domain: "global", reason: "insufficientPermissions" },
    "PERMISSION_DENIED",
  );

/** 400 with a youtube.parameter reason (missingRequiredParameter, invalidFilters, …). */
export const badParameter = (reason: string, message: string): Reply =>
  apiError(400, message, { domain: "youtube.parameter", reason });

/** An injected failure as Google's frontends send it (backendError, internalError, rateLimitExceeded). */
export function serverError(status: number): Reply {
  const message = serverErrorMessage(status);
  if (status === 429)
    return apiError(429, message, { domain: "global", reason: "rateLimitExceeded" }, "RESOURCE_EXHAUSTED");
  if (status === 503)
    return apiError(503, message, { domain: "global", reason: "backendError" }, "UNAVAILABLE");
  return apiError(status, message, { domain: "global", reason: "internalError" }, "INTERNAL");
}

/** An OAuth endpoint error: `{ error, error_description }`. */
export const oauthError = (status: number, error: string, description: string): Reply =>
  json(status, { error, error_description: description });
