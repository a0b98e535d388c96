/**
 * What the emulator's Durable Object answers its routes with: a status and a JSON body already
 * serialised (RPC then carries a plain string), plus a delay that fault injection asks the route
 * to wait before answering (the object itself never sleeps, so one slow call blocks nobody).
 */
export interface Reply {
  status: number;
  body: string;
  contentType?: string;
  headers?: Record<string, string>;
  delayMs?: number;
}

/** Whether a checker's result is a Reply (its refusal) rather than the checked value. */
export const isReply = (v: unknown): v is Reply =>
  typeof v === "object" && v !== null && "status" in v && "body" in v;

/** A JSON reply. */
export function json(status: number, body: unknown, headers?: Record<string, string>): Reply {
  return { status, body: JSON.stringify(body), headers };
}

/** Turns a Reply into a Response. */
export function toResponse(reply: Reply): Response {
  return new Response(reply.body, {
    status: reply.status,
    headers: { "content-type": reply.contentType ?? "application/json; charset=UTF-8", ...reply.headers },
  });
}
