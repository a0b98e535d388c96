import { and, inArray, lt, sql } from "drizzle-orm";
import { testRotator } from "../../durable-objects/test-rotator/stub";
import { tests } from "../../schema";
import type { Db } from "../db/client";

/** How far past its boundary a test may be before the sweep looks at it: two intervals. */
const LATE_INTERVALS = 2;

/**
 * The stale-test sweep: running or scheduled tests whose next step is more than two intervals
 * late (an alarm lost to a failed deploy, a storage fault, retries that ran out) get their alarm
 * back. A rotator whose alarm is still set is left alone. Answers how many were re-armed.
 */
export async function rearmLateTests(env: Env, db: Db, now = Date.now()): Promise<number> {
  const late = await db
    .select({ id: tests.id })
    .from(tests)
    .where(
      and(
        inArray(tests.status, ["scheduled", "running"]),
        lt(
          sql`${tests.nextRotationAt} + make_interval(mins => ${tests.intervalMinutes} * ${LATE_INTERVALS})`,
          new Date(now),
        ),
      ),
    )
    .limit(1000);
  const rearmed = await Promise.allSettled(late.map(({ id }) => testRotator(env, id).rearm()));
  return rearmed.filter((r) => r.status === "fulfilled" && r.value).length;
}
