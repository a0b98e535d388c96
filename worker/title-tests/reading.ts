import { finishedTestStatuses, type TestStatus } from "../../schema";
import { NotFound } from "../domain/errors";
import { findTest, type TestRow, titlesOf } from "./queries";
import type { TitleTestScope } from "./scope";
import { testView } from "./views";

/** Statuses in which a test is over and its video free again. */
export const FINISHED: readonly TestStatus[] = finishedTestStatuses;

/** The creator's test, or NotFound — for another user's test too, so ids reveal nothing. */
export async function ownTest(scope: TitleTestScope, testId: string): Promise<TestRow> {
  const row = await findTest(scope.db, scope.user.id, testId);
  if (!row) throw new NotFound("No such test.");
  return row;
}

/** The creator's test as the API shows it, read afresh (after a change). */
export async function freshView(scope: TitleTestScope, testId: string) {
  const row = await ownTest(scope, testId);
  return testView(row, await titlesOf(scope.db, testId), scope.env);
}
