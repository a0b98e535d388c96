import { DurableObject } from "cloudflare:workers";
import { migrateSqlite } from "../worker/durable/sqlite-migrations";

const MIGRATIONS = [
  `CREATE TABLE journal (
     seq INTEGER PRIMARY KEY AUTOINCREMENT,
     at INTEGER NOT NULL,
     step TEXT NOT NULL,
     data TEXT NOT NULL DEFAULT '{}'
   )`,
];

/** One entry of the rotator's step journal. */
export type JournalEntry = {
  seq: number;
  at: number;
  step: string;
  data: string;
};

/**
 * One per test (`idFromName(testId)`): holds the test's schedule, its rotation alarm and a step
 * journal, so that a retried or restarted alarm resumes where it stopped. See DESIGN §3.
 */
export class TestRotator extends DurableObject<Env> {
  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    ctx.blockConcurrencyWhile(async () => migrateSqlite(ctx.storage.sql, MIGRATIONS));
  }

  /** Answers at once: readiness checks call it. */
  ping(): "pong" {
    return "pong";
  }

  /** Sets the next step's alarm. */
  async arm(at: number): Promise<void> {
    this.journal("armed", { at });
    await this.ctx.storage.setAlarm(at);
  }

  /** The step journal, oldest first. */
  history(): JournalEntry[] {
    return this.ctx.storage.sql.exec<JournalEntry>("SELECT * FROM journal ORDER BY seq").toArray();
  }

  override async alarm(): Promise<void> {
    this.journal("alarm", {});
  }

  private journal(step: string, data: Record<string, unknown>): void {
    this.ctx.storage.sql.exec(
      "INSERT INTO journal (at, step, data) VALUES (?, ?, ?)",
      Date.now(),
      step,
      JSON.stringify(data),
    );
  }
}
