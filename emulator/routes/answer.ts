import type { Context } from "hono";
import type { EmulatorAppEnv, EmulatorEnv } from "../env";
import { type Reply, toResponse } from "../reply";

/** The one emulator object (all state lives in it). */
export function emulatorState(env: EmulatorEnv) {
  return env.EMULATOR.get(env.EMULATOR.idFromName("google"));
}

/** Answers with a Reply, after the delay an injected fault asked for. */
export async function answer(reply: Reply): Promise<Response> {
  if (reply.delayMs && reply.delayMs > 0) await new Promise((resolve) => setTimeout(resolve, reply.delayMs));
  return toResponse(reply);
}

/** Query parameters as a flat record (Google's APIs take each once). */
export function queryRecord(
  c: Context<EmulatorAppEnv>,
  drop: readonly string[] = [],
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(c.req.query())) if (!drop.includes(k)) out[k] = v;
  return out;
}

/** A form or JSON body as a flat record of strings. */
export async function bodyRecord(c: Context<EmulatorAppEnv>): Promise<Record<string, string>> {
  const type = c.req.header("content-type") ?? "";
  const out: Record<string, string> = {};
  if (type.includes("application/json")) {
    const parsed = (await c.req.json().catch(() => ({}))) as Record<string, unknown>;
    for (const [k, v] of Object.entries(parsed)) if (typeof v === "string") out[k] = v;
    return out;
  }
  const form = await c.req.parseBody().catch(() => ({}) as Record<string, unknown>);
  for (const [k, v] of Object.entries(form)) if (typeof v === "string") out[k] = v;
  return out;
}
