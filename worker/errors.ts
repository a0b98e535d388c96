import type { Context } from "hono";
import { HTTPException } from "hono/http-exception";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { AppEnv } from "./context";
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
  // A failed query's message carries its parameters (e-mails, ciphertexts): log the statement only.
  const withoutParams = (text: string | undefined) => text?.split("\nparams:")[0];
  const cause = err.cause instanceof Error ? err.cause.message : undefined;
  console.error(
    JSON.stringify({
      level: "error",
      requestId,
      message: withoutParams(err.message),
      cause,
      stack: withoutParams(err.stack),
    }),
  );
  return c.json(errorBody("internal", "Internal error", requestId), 500);
}
