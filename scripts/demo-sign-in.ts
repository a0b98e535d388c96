/**
 * How the local demos sign a creator in: through the app's real OAuth routes and the emulator's
 * consent, as a browser would (scripts/demo.ts, scripts/demo-ctr.ts).
 */

/** Every Set-Cookie of a response as `name=value` pairs. */
function cookies(res: Response): string[] {
  return res.headers.getSetCookie().map((c) => c.split(";")[0] as string);
}

/** Signs `email` in to the app at `appUrl`; answers the session's Cookie header. */
export async function signIn(appUrl: string, email: string): Promise<string> {
  const start = await fetch(`${appUrl}/api/auth/google/start?login_hint=${encodeURIComponent(email)}`, {
    redirect: "manual",
  });
  const consent = await fetch(start.headers.get("location") as string, { redirect: "manual" });
  const callback = await fetch(consent.headers.get("location") as string, {
    headers: { cookie: cookies(start).join("; ") },
    redirect: "manual",
  });
  const session = cookies(callback).find((c) => c.startsWith("__Host-ttp_session="));
  if (!session) throw new Error(`the demo sign-in failed (${callback.status})`);
  return session;
}
