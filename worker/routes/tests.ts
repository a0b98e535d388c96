import type { Context } from "hono";
import { Hono } from "hono";
import { controlFrom } from "../../durable-objects/test-rotator/contract";
import type { AppEnv } from "../context";
import { timed } from "../middleware/init";
import { taggedJson } from "../middleware/revalidation";
import { readsOf, sessionInRead, userOf } from "../middleware/session";
import { changeStatus, resumeTest } from "../title-tests/control";
import { createTest, startDraft } from "../title-tests/creation";
import { amendTest, applyWinner, removeTest } from "../title-tests/edits";
import {
  applyWinnerBody,
  createTestBody,
  listTestsQuery,
  patchTestBody,
  testIdParam,
} from "../title-tests/input";
import { ownTestDetail, ownTestResults, ownTests } from "../title-tests/read-batches";
import { resultsCsv } from "../title-tests/results";
import type { TitleTestScope } from "../title-tests/scope";
import { validate } from "../validation";

/** The title-tests domain's view of this request: the signed-in creator and the request's services. */
function scope(c: Context<AppEnv>): TitleTestScope {
  return { env: c.env, db: c.var.db(), log: c.var.log, user: userOf(c) };
}

/**
 * The tests API: create (checked against YouTube and the plan), list, read, edit, the state
 * changes (through the test's TestRotator, the one writer of a started test), delete, results
 * and their CSV export. Mounted behind `requireUser`.
 */
export const testRoutes = new Hono<AppEnv>()
  .post("/tests", validate("json", createTestBody), async (c) => {
    return c.json(await createTest(scope(c), c.req.valid("json")), 201);
  })
  .get("/tests", sessionInRead, validate("query", listTestsQuery), async (c) => {
    const { status, limit } = c.req.valid("query");
    const reads = readsOf(c, c.var.read().reads);
    return c.json(await timed(c, "db", () => ownTests(reads, c.env, { statuses: status, limit })));
  })
  .get("/tests/:id", sessionInRead, validate("param", testIdParam), async (c) => {
    const { id } = c.req.valid("param");
    const reads = readsOf(c, c.var.read().freshReads);
    return c.json(await timed(c, "db", () => ownTestDetail(reads, c.env, id)));
  })
  .patch("/tests/:id", validate("param", testIdParam), validate("json", patchTestBody), async (c) => {
    return c.json(await amendTest(scope(c), c.req.valid("param").id, c.req.valid("json")));
  })
  .post("/tests/:id/start", validate("param", testIdParam), async (c) => {
    return c.json(await startDraft(scope(c), c.req.valid("param").id));
  })
  .post("/tests/:id/pause", validate("param", testIdParam), async (c) => {
    const { id } = c.req.valid("param");
    return c.json(await changeStatus(scope(c), id, controlFrom.pause, "paused", (r) => r.pause()));
  })
  .post("/tests/:id/resume", validate("param", testIdParam), async (c) => {
    const { id } = c.req.valid("param");
    return c.json(await resumeTest(scope(c), id));
  })
  .post("/tests/:id/stop", validate("param", testIdParam), async (c) => {
    const { id } = c.req.valid("param");
    return c.json(await changeStatus(scope(c), id, controlFrom.stop, "stopped", (r) => r.stop()));
  })
  .post(
    "/tests/:id/apply-winner",
    validate("param", testIdParam),
    validate("json", applyWinnerBody),
    async (c) => {
      return c.json(await applyWinner(scope(c), c.req.valid("param").id, c.req.valid("json").variant));
    },
  )
  .delete("/tests/:id", validate("param", testIdParam), async (c) => {
    await removeTest(scope(c), c.req.valid("param").id);
    return c.body(null, 204);
  })
  // Results and their CSV: one HTTP batch, on the primary (read-only) so a creator sees their own
  // latest change, as the test's detail above.
  .get("/tests/:id/results", sessionInRead, validate("param", testIdParam), async (c) => {
    const { id } = c.req.valid("param");
    const reads = readsOf(c, c.var.read().freshReads);
    const { results } = await timed(c, "db", () => ownTestResults(reads, id));
    return taggedJson(c, results);
  })
  .get("/tests/:id/export.csv", sessionInRead, validate("param", testIdParam), async (c) => {
    const { id } = c.req.valid("param");
    const reads = readsOf(c, c.var.read().freshReads);
    const { row, results } = await timed(c, "db", () => ownTestResults(reads, id));
    return c.body(resultsCsv(results, row.metric), 200, {
      "content-type": "text/csv; charset=utf-8",
      "content-disposition": `attachment; filename="test-${row.id}.csv"`,
      "cache-control": "no-store",
    });
  });
