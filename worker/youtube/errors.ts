/**
 * Every failure of a Google call, in a closed set of classes that callers act on:
 * - `quota_exhausted`: YouTube's 403 quotaExceeded, or the QuotaLedger denied the units (`retryAt`);
 * - `rate_limited`: 429 / rateLimitExceeded / userRateLimitExceeded (`retryAt` from Retry-After);
 * - `auth_revoked`: invalid_grant at the token endpoint, or a 401 that survives a token refresh;
 * - `not_found`, `forbidden`, `invalid_request`: the request itself is wrong, never retried;
 * - `transient`: 5xx, network failures and timeouts, retried with backoff before surfacing.
 */
export type YouTubeErrorKind =
  | "quota_exhausted"
  | "rate_limited"
  | "auth_revoked"
  | "not_found"
  | "forbidden"
  | "invalid_request"
  | "transient";

/** A classified failure of a Google call. */
export class YouTubeError extends Error {
  override readonly name = "YouTubeError";

  constructor(
    readonly kind: YouTubeErrorKind,
    message: string,
    readonly details: {
      /** HTTP status, when Google answered. */
      status?: number;
      /**
       * `error.errors[0].reason` of the Data API, the OAuth `error` code, or `error.status` of the
       * newer envelope (the Reporting API's NOT_FOUND, ALREADY_EXISTS, …).
       */
      reason?: string;
      /** When trying again may succeed (ms since epoch). */
      retryAt?: number;
      cause?: unknown;
    } = {},
  ) {
    super(message, { cause: details.cause });
  }

  get status(): number | undefined {
    return this.details.status;
  }

  get reason(): string | undefined {
    return this.details.reason;
  }

  get retryAt(): number | undefined {
    return this.details.retryAt;
  }
}

/** Google's error body: Data and Analytics APIs, OAuth endpoints, the newer `{ code, message, status }`. */
interface GoogleApiErrorBody {
  error?:
    | {
        code?: number;
        message?: string;
        errors?: { reason?: string; domain?: string; message?: string }[];
        status?: string;
      }
    | string;
  error_description?: string;
}

const RATE_REASONS = new Set(["rateLimitExceeded", "userRateLimitExceeded"]);
const QUOTA_REASONS = new Set(["quotaExceeded", "dailyLimitExceeded"]);
const NOT_FOUND_REASONS = new Set(["videoNotFound", "playlistNotFound", "channelNotFound", "notFound"]);

/** Parses Retry-After (seconds or HTTP date) into ms since epoch. */
export function retryAfter(header: string | null, now: number): number | undefined {
  if (!header) return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds)) return now + seconds * 1000;
  const date = Date.parse(header);
  return Number.isNaN(date) ? undefined : date;
}

/** Classifies a non-2xx answer of a Data, Analytics or Reporting API call. */
export function classifyApiError(
  status: number,
  body: unknown,
  context: { retryAt?: number; quotaResetAt: () => number },
): YouTubeError {
  const parsed = (body ?? {}) as GoogleApiErrorBody;
  const error = typeof parsed.error === "object" ? parsed.error : undefined;
  const reason =
    error?.errors?.[0]?.reason ??
    (typeof parsed.error === "string" ? parsed.error : undefined) ??
    error?.status;
  const message = error?.message ?? parsed.error_description ?? `HTTP ${status}`;
  const d = { status, reason };
  if (reason && QUOTA_REASONS.has(reason))
    return new YouTubeError("quota_exhausted", message, { ...d, retryAt: context.quotaResetAt() });
  if (status === 429 || (reason && RATE_REASONS.has(reason))) {
    return new YouTubeError("rate_limited", message, { ...d, retryAt: context.retryAt });
  }
  if (status >= 500) return new YouTubeError("transient", message, d);
  if (status === 401) return new YouTubeError("auth_revoked", message, d);
  if (status === 404 || (reason && NOT_FOUND_REASONS.has(reason)))
    return new YouTubeError("not_found", message, d);
  if (status === 403) return new YouTubeError("forbidden", message, d);
  return new YouTubeError("invalid_request", message, d);
}

/** Classifies a non-2xx answer of the OAuth token endpoint. */
export function classifyTokenError(status: number, body: unknown): YouTubeError {
  const parsed = (body ?? {}) as { error?: unknown; error_description?: unknown };
  const code = typeof parsed.error === "string" ? parsed.error : undefined;
  const message =
    typeof parsed.error_description === "string"
      ? parsed.error_description
      : `token endpoint answered ${status}`;
  if (code === "invalid_grant") return new YouTubeError("auth_revoked", message, { status, reason: code });
  if (status >= 500 || code === "temporarily_unavailable")
    return new YouTubeError("transient", message, { status, reason: code });
  if (status === 429) return new YouTubeError("rate_limited", message, { status, reason: code });
  return new YouTubeError("invalid_request", message, { status, reason: code });
}
