import { type ClientResponse, hc } from "hono/client";
import type { AppType } from "../../../worker/app";

/**
 * The SPA's one door to the API: Hono's client typed by the Worker's `AppType`, so a route's
 * response type and the page that reads it cannot drift apart. `fetch` sends the session cookie
 * (same origin) and, on POST and DELETE, the Origin header the API's CSRF check requires.
 */
export const api = hc<AppType>("/api", {
  fetch: (input: RequestInfo | URL, init?: RequestInit) =>
    fetch(input, { ...init, credentials: "same-origin" }),
});

/** One bad field of a 400: its path in the request (`titles.1`, `endAt`) and what is wrong. */
export interface FieldIssue {
  path: string;
  message: string;
}

/** An API failure, from the `{ error: { code, message, requestId } }` body every error answers with. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly requestId: string | null,
    readonly issues: readonly FieldIssue[] = [],
  ) {
    super(message);
    this.name = "ApiError";
  }
}

interface ErrorBody {
  error?: { code?: unknown; message?: unknown; requestId?: unknown; details?: { issues?: unknown } };
}

/** The field issues of a validation error, keeping only well-formed ones. */
function issuesOf(details: { issues?: unknown } | undefined): FieldIssue[] {
  if (!Array.isArray(details?.issues)) return [];
  return details.issues.filter(
    (i): i is FieldIssue => typeof i?.path === "string" && typeof i?.message === "string",
  );
}

/** Turns a failed response into an `ApiError`, tolerating bodies that aren't ours (a proxy's HTML). */
async function toApiError(res: Response): Promise<ApiError> {
  const body = (await res.json().catch(() => null)) as ErrorBody | null;
  const err = body?.error;
  const issues = issuesOf(err?.details);
  // "The request is invalid" says nothing a creator can act on; the fields' messages do.
  const message =
    issues.length > 0
      ? issues.map((i) => i.message).join(". ")
      : typeof err?.message === "string"
        ? err.message
        : `The server answered ${res.status}.`;
  return new ApiError(
    res.status,
    typeof err?.code === "string" ? err.code : `http_${res.status}`,
    message,
    typeof err?.requestId === "string" ? err.requestId : null,
    issues,
  );
}

/**
 * Awaits an API call: its response when OK, else an `ApiError` (status 0 when the network
 * failed). Errors are not in the routes' types (they are thrown), so they are read here.
 */
export async function send<T extends ClientResponse<unknown>>(call: Promise<T>): Promise<T> {
  let res: T;
  try {
    res = await call;
  } catch {
    throw new ApiError(0, "network", "Could not reach TitleTesterPro. Check your connection.", null);
  }
  if (!res.ok) throw await toApiError(res as unknown as Response);
  return res;
}

/** Words for any failure: the API's own message, or a generic one for a bug in the page. */
export function messageOf(err: unknown): string {
  return err instanceof ApiError ? err.message : "Something went wrong on this page.";
}
