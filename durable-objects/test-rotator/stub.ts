/**
 * How the Worker reaches a test's TestRotator (`idFromName(testId)`): the one writer of a started
 * test. Routes validate, authorise and write drafts; from `start` on, every state change goes
 * through the object, which updates Postgres (`tests`, `slots`, `events`) itself.
 */
export function testRotator(env: Pick<Env, "TEST_ROTATOR">, testId: string) {
  return env.TEST_ROTATOR.get(env.TEST_ROTATOR.idFromName(testId));
}
