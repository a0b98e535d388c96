/**
 * The SPA's one door to the API.
 *
 * Why not `hc<AppType>`: importing the Worker's `AppType` makes `tsc -p frontend/tsconfig.json`
 * typecheck the whole Worker under the DOM lib, where its `Env` global and Workers-only APIs
 * (`crypto.subtle.timingSafeEqual`, Workers' `BufferSource`) don't exist. So responses are typed
 * here, next to the queries that read them, and this wrapper stays a few lines.
 */

/** An API failure, from the `{ error: { code, message, requestId } }` body every error answers with. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly requestId: string | null,
  ) {
    super(message);
    this.name = "ApiError";
  }
}

interface ErrorBody {
  error?: { code?: unknown; message?: unknown; requestId?: unknown };
}

/** Turns a failed response into an `ApiError`, tolerating bodies that aren't ours (a proxy's HTML). */
async function toApiError(res: Response): Promise<ApiError> {
  const body = (await res.json().catch(() => null)) as ErrorBody | null;
  const err = body?.error;
  return new ApiError(
    res.status,
    typeof err?.code === "string" ? err.code : `http_${res.status}`,
    typeof err?.message === "string" ? err.message : `The server answered ${res.status}.`,
    typeof err?.requestId === "string" ? err.requestId : null,
  );
}

/**
 * Calls the API with the session cookie; resolves to the response when it is OK, rejects with an
 * `ApiError` otherwise (status 0 when the network failed).
 */
export async function apiFetch(method: "GET" | "POST" | "DELETE", path: string): Promise<Response> {
  let res: Response;
  try {
    // fetch sends Origin on POST/DELETE by itself, which the API's origin check requires.
    res = await fetch(path, { method, credentials: "same-origin", headers: { accept: "application/json" } });
  } catch {
    throw new ApiError(0, "network", "Could not reach TitleTesterPro. Check your connection.", null);
  }
  if (!res.ok) throw await toApiError(res);
  return res;
}

/** Words for any failure: the API's own message, or a generic one for a bug in the page. */
export function messageOf(err: unknown): string {
  return err instanceof ApiError ? err.message : "Something went wrong on this page.";
}

/** GETs a JSON body. The caller names its type; the API is the source of truth for it. */
export async function getJson<T>(path: string): Promise<T> {
  const res = await apiFetch("GET", path);
  return (await res.json()) as T;
}
