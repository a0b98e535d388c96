import { SqliteOutbox } from "../../worker/durable/outbox";
import type { JobMessage } from "../../worker/jobs/messages";
import type { Logger } from "../../worker/logging/logger";
import { errorFields } from "../../worker/logging/logger";
import { recordJobsEnqueued } from "../../worker/metrics/record";

/** How long an unsent outbox job waits for the alarm to retry its send. */
const OUTBOX_RETRY_MS = 10_000;
/** How long sent jobs are kept (for `jobs()`: tests and forensics). */
const KEEP_SENT_MS = 2 * 86_400_000;
/** Jobs per `sendBatch`. */
const SEND_BATCH = 100;

/**
 * The ledger's jobs for the JOBS queue (alert raises and clears), written with the state that
 * caused them and sent afterwards, so a failed send is retried by the alarm instead of lost.
 * Sent jobs are kept two days.
 */
export class JobOutbox {
  private readonly rows: SqliteOutbox<JobMessage>;
  private unsent = false;
  private flushing: Promise<void> | undefined;
  /** After a failed send, calls leave the outbox to the alarm until then (no retry storm). */
  private flushAfter = 0;

  constructor(
    sql: SqlStorage,
    private readonly env: Pick<Env, "JOBS" | "METRICS_RECORDER">,
    private readonly log: Logger,
    /** Asks the ledger for an alarm at `retryAt` (a failed send), from the call made at `at`. */
    private readonly retryAt: (at: number, retryAt: number) => void,
  ) {
    this.rows = new SqliteOutbox(sql, {
      table: "outbox",
      columns: ["job"],
      writtenAt: "created_at",
      sentAt: "sent_at",
      encode: (job) => [JSON.stringify(job)],
      decode: (row) => JSON.parse(String(row.job)) as JobMessage,
    });
  }

  /** Reads whether jobs wait (once the schema is migrated). */
  load(): void {
    this.unsent = this.rows.countPending() > 0;
  }

  /** Writes a job (inside the caller's transaction). */
  enqueue(job: JobMessage, at: number): void {
    this.rows.add(job, at);
    this.unsent = true;
  }

  /** Jobs written and not yet handed to the queue. */
  countUnsent(): number {
    return this.rows.countPending();
  }

  /** Whether a call should send now: jobs wait and no failed send asked to hold off. */
  due(): boolean {
    return this.unsent && Date.now() >= this.flushAfter;
  }

  /** The jobs recorded since `afterSeq` (sent or not), oldest first. */
  after(afterSeq: number): { seq: number; job: JobMessage; sent: boolean }[] {
    return this.rows.after(afterSeq).map((e) => ({ seq: e.seq, job: e.entry, sent: e.sent }));
  }

  /** Forgets jobs sent long enough ago (the day's rollover). */
  prune(at: number): void {
    this.rows.pruneDelivered(at - KEEP_SENT_MS);
  }

  /** Sends unsent jobs in order, one send at a time; on failure they stay for the alarm to retry. */
  flush(at: number): Promise<void> {
    // `.finally` runs after the assignment even when there is nothing to send.
    this.flushing ??= this.sendUnsent(at).finally(() => {
      this.flushing = undefined;
    });
    return this.flushing;
  }

  private async sendUnsent(at: number): Promise<void> {
    try {
      for (;;) {
        const pending = this.rows.pending(SEND_BATCH);
        const last = pending.at(-1);
        if (!last) break;
        const jobs = pending.map((e) => e.entry);
        await this.env.JOBS.sendBatch(jobs.map((body) => ({ body })));
        recordJobsEnqueued(
          this.env,
          jobs.map((job) => job.type),
        );
        this.rows.delivered(last.seq, Date.now());
      }
      this.unsent = false;
    } catch (err) {
      this.log.warn("quota.outbox_send_failed", errorFields(err));
      this.flushAfter = Date.now() + OUTBOX_RETRY_MS;
      this.retryAt(Math.max(at, Date.now()), this.flushAfter);
    }
  }
}
