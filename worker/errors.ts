import type { Context } from "hono";
import { HTTPException } from "hono/http-exception";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { AppEnv } from "./context";
import { DomainError, Invalid } from "./domain/errors";
import { createLogger, errorFields } from "./logging/logger";
import { YouTubeError } from "./youtube/errors";

/** The closed set of error codes the API answers with. */
export const errorCodes = {
  bad_request: 400,
  validation_failed: 400,
  unauthenticated: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  needs_reauth: 409,
  payload_too_large: 413,
  unprocessable: 422,
  rate_limited: 429,
  internal: 500,
  not_ready: 503,
  upstream_unavailable: 503,
  quota_exhausted: 503,
} as const satisfies Record<string, ContentfulStatusCode>;

export type ErrorCode = keyof typeof errorCodes;

/** An error the API answers with deliberately: its code picks the status. */
export class AppError extends HTTPException {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(errorCodes[code], { message });
  }
}

/** The JSON body of every error: `{ error: { code, message, requestId } }`. */
export function errorBody(code: ErrorCode, message: string, requestId: string, details?: unknown) {
  return { error: { code, message, requestId, ...(details ? { details } : {}) } };
}

/** The API's answer to a domain error: the same codes, messages and details the routes always gave. */
function domainErrorAnswer(err: DomainError): { code: ErrorCode; details?: Record<string, unknown> } {
  switch (err.kind) {
    case "not_found":
      return { code: "not_found" };
    case "conflict":
      return { code: "conflict" };
    case "unavailable":
      return { code: "upstream_unavailable" };
    case "invalid": {
      // Shaped like the request validator's 400, so a client reads both the same way.
      const path = err instanceof Invalid ? err.path : "";
      return { code: "validation_failed", details: { issues: [{ path, message: err.message }] } };
    }
  }
}

/** How a YouTube failure that reached a route is told to the user. */
function youtubeErrorAnswer(err: YouTubeError): [ErrorCode, string] {
  switch (err.kind) {
    case "auth_revoked":
      return ["needs_reauth", "Google no longer lets TitleTesterPro act for you. Reconnect your account."];
    case "quota_exhausted":
    case "rate_limited":
      return ["quota_exhausted", "YouTube's API quota is used up for now. Try again later."];
    case "not_found":
      return ["not_found", "YouTube does not know this video or channel."];
    case "forbidden":
      return ["forbidden", "YouTube does not let this account change that video."];
    case "invalid_request":
      return ["unprocessable", `YouTube refused the request: ${err.message}`];
    case "transient":
      return ["upstream_unavailable", "YouTube did not answer. Try again in a moment."];
  }
}

/** The one error handler: known errors answer as themselves; anything else is a logged generic 500. */
export function handleError(err: Error, c: Context<AppEnv>): Response {
  const requestId = c.get("requestId") ?? "unknown";
  if (err instanceof AppError) {
    return c.json(errorBody(err.code, err.message, requestId, err.details), err.status);
  }
  if (err instanceof DomainError) {
    const { code, details } = domainErrorAnswer(err);
    return c.json(errorBody(code, err.message, requestId, details), errorCodes[code]);
  }
  if (err instanceof YouTubeError) {
    const [code, message] = youtubeErrorAnswer(err);
    if (err.retryAt)
      c.header("retry-after", String(Math.max(1, Math.ceil((err.retryAt - Date.now()) / 1000))));
    return c.json(errorBody(code, message, requestId), errorCodes[code]);
  }
  if (err instanceof HTTPException) {
    // Hono's own (e.g. a malformed JSON body): a client error, never a 500.
    const code: ErrorCode = err.status === 413 ? "payload_too_large" : "bad_request";
    return c.json(errorBody(code, err.message || "Bad request", requestId), err.status);
  }
  // errorFields keeps a failed query's statement and drops its parameters (e-mails, ciphertexts).
  (c.get("log") ?? createLogger({ requestId })).error("unhandled error", errorFields(err));
  return c.json(errorBody("internal", "Internal error", requestId), 500);
}
