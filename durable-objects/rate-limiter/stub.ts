/** The request budget of one key (`ip:<v4>`, `ip6:<prefix>::/64` or `user:<id>`), leased out to isolates. */
export function rateLimiter(env: Pick<Env, "RATE_LIMITER">, key: string) {
  return env.RATE_LIMITER.get(env.RATE_LIMITER.idFromName(key));
}
