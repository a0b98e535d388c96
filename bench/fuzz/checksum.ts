import { type SQL, sql } from "drizzle-orm";
import { db, type World } from "./world";

/**
 * The database's checksum around a request, so that a refused request that still wrote is caught:
 * - Bob's rows (users, tests, titles, slots, events, analytics_polls) must never change at all:
 *   nothing here acts as Bob, and Bob has no running test;
 * - Alice's rows a request can write (her user row; her tests' own fields, titles and request
 *   events) must not change across a refusal; what her tests' TestRotators write in the
 *   background (status and results of a started test, slots, polls, numbered events) is left out;
 * - the global counts of users, tests, titles and request events must not change across a refusal.
 */

const digest = (rows: SQL) =>
  sql`(select md5(coalesce(string_agg(x, '|' order by x), '')) from (${rows}) r(x))`;

/** Checksums of what a refused request must not change (see this module's comment). */
export async function snapshot(world: World): Promise<Record<string, string>> {
  const a = world.alice.id;
  const b = world.bob.id;
  const result = await db.execute(sql`select
    ${digest(sql`select u::text from users u where u.id = ${b}`)} as bob_user,
    ${digest(sql`select t::text from tests t where t.user_id = ${b}`)} as bob_tests,
    ${digest(sql`select ti::text from titles ti join tests t on t.id = ti.test_id where t.user_id = ${b}`)} as bob_titles,
    ${digest(sql`select s::text from slots s join tests t on t.id = s.test_id where t.user_id = ${b}`)} as bob_slots,
    ${digest(sql`select p::text from analytics_polls p join tests t on t.id = p.test_id where t.user_id = ${b}`)} as bob_polls,
    ${digest(sql`select e::text from events e where e.user_id = ${b}`)} as bob_events,
    ${digest(sql`select u::text from users u where u.id = ${a}`)} as alice_user,
    ${digest(sql`select concat_ws(',', t.id, t.video_id, t.video_title_original,
        case when t.status = 'draft' then 'draft' else 'started' end, t.metric, t.interval_minutes,
        t.boundary_offset_seconds, t.auto_apply, t.starts_at, t.ends_at, t.created_at,
        case when t.status = 'draft' then t.updated_at end)
      from tests t where t.user_id = ${a}`)} as alice_tests,
    ${digest(sql`select ti::text from titles ti join tests t on t.id = ti.test_id where t.user_id = ${a}`)} as alice_titles,
    ${digest(sql`select e::text from events e where e.user_id = ${a} and e.rotator_seq is null`)} as alice_events,
    (select count(*) from users)::text as users,
    (select count(*) from tests)::text as tests,
    (select count(*) from titles)::text as titles,
    (select count(*) from events where rotator_seq is null)::text as request_events`);
  const [row] = result.rows as Record<string, string>[];
  if (!row) throw new Error("no checksum row");
  return row;
}

/** The names of the checksums that differ. */
export function changedParts(before: Record<string, string>, after: Record<string, string>): string[] {
  return Object.keys(before).filter((k) => before[k] !== after[k]);
}

/** Waits until the database stops changing (jobs and alarms after the setup's sign-ins and stops). */
export async function settle(world: World): Promise<Record<string, string>> {
  let last = await snapshot(world);
  let stableSince = Date.now();
  const deadline = Date.now() + 30_000;
  while (Date.now() - stableSince < 1_500 && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 250));
    const next = await snapshot(world);
    if (changedParts(last, next).length > 0) stableSince = Date.now();
    last = next;
  }
  return last;
}
