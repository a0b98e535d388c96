import { sql } from "drizzle-orm";
import { finishedTestStatuses } from "../../schema";
import type { Db } from "../db/client";

/**
 * Recomputes `user_stats` for every user (or one) in one statement, so that dashboards read one row
 * instead of aggregating tests and slots at request time. Runs hourly from the cron trigger, and
 * for one user when a test of theirs finishes (the `test.finished` job).
 */
export async function rollupUserStats(db: Db, userId?: string): Promise<number> {
  const finished = sql.raw(finishedTestStatuses.map((s) => `'${s}'`).join(", "));
  const result = await db.$primary.execute(sql`
    insert into user_stats (user_id, tests_run, tests_active, tests_won, tests_same,
                            tests_inconclusive, average_winning_lift, views_during_tests, updated_at)
    select u.id,
           count(t.id) filter (where t.status <> 'draft'),
           count(t.id) filter (where t.status in ('scheduled', 'running', 'paused', 'paused_drift', 'needs_reauth')),
           count(t.id) filter (where t.decision = 'winner' and t.status in (${finished})),
           count(t.id) filter (where t.decision = 'same' and t.status in (${finished})),
           count(t.id) filter (where t.decision = 'inconclusive' and t.status in (${finished})),
           avg(t.winner_lift) filter (where t.decision = 'winner' and t.status in (${finished})),
           coalesce((select sum(greatest(s.views_end - s.views_start, 0))
                       from slots s join tests st on st.id = s.test_id
                      where st.user_id = u.id and s.views_end is not null), 0),
           now()
      from users u
      left join tests t on t.user_id = u.id
     where ${userId === undefined ? sql`true` : sql`u.id = ${userId}`}
     group by u.id
    on conflict (user_id) do update set
      tests_run = excluded.tests_run,
      tests_active = excluded.tests_active,
      tests_won = excluded.tests_won,
      tests_same = excluded.tests_same,
      tests_inconclusive = excluded.tests_inconclusive,
      average_winning_lift = excluded.average_winning_lift,
      views_during_tests = excluded.views_during_tests,
      updated_at = excluded.updated_at`);
  return result.rowCount ?? 0;
}
