/** The request counter of one key (`ip:<address>` or `user:<id>`). */
export function rateLimiter(env: Pick<Env, "RATE_LIMITER">, key: string) {
  return env.RATE_LIMITER.get(env.RATE_LIMITER.idFromName(key));
}
