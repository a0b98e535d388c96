/** The poller all rotators share (one object: at ~1,000 requests/s it carries the hourly herd). */
export function videoPoller(env: Pick<Env, "VIDEO_POLLER">) {
  return env.VIDEO_POLLER.get(env.VIDEO_POLLER.idFromName("boundary-polls"));
}
