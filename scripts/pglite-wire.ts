import { Duplex } from "node:stream";
import type { PGlite } from "@electric-sql/pglite";

/**
 * A node-postgres connection to an in-process PGlite, without a socket: what the client writes
 * goes to PGlite's wire-protocol entry point and the answer comes back as the stream's data.
 * Everything the client wrote before the event loop turns (a corked batch: begin, every
 * statement, commit) is one call into PGlite, which runs the messages in order. Over TCP through
 * PGlite's socket server the same batch cost a call, a timer and a socket write per message
 * (docs/BENCHMARKS.md). PGlite has one backend, so exchanges must already be serialised (the
 * proxy's BackendLock); each still runs in PGlite's own exclusive section.
 */
export class PgliteWire extends Duplex {
  private pending: Buffer[] = [];
  private scheduled = false;

  constructor(private readonly db: PGlite) {
    super();
  }

  /** node-postgres "connects" its stream: there is nothing to reach. */
  connect(): this {
    queueMicrotask(() => this.emit("connect"));
    return this;
  }

  /** Socket options and event-loop holds node-postgres sets; meaningless without a socket. */
  setNoDelay(): this {
    return this;
  }

  setKeepAlive(): this {
    return this;
  }

  ref(): this {
    return this;
  }

  unref(): this {
    return this;
  }

  override _read(): void {}

  override _write(chunk: Buffer, _encoding: BufferEncoding, done: (error?: Error | null) => void): void {
    this.queue([chunk]);
    done();
  }

  override _writev(chunks: Array<{ chunk: Buffer }>, done: (error?: Error | null) => void): void {
    this.queue(chunks.map((c) => c.chunk));
    done();
  }

  override _final(done: (error?: Error | null) => void): void {
    this.push(null);
    done();
  }

  private queue(chunks: Buffer[]): void {
    this.pending.push(...chunks);
    if (this.scheduled) return;
    this.scheduled = true;
    // After the writer's turn, so a batch's writes go as one, and never answering inside write().
    queueMicrotask(() => void this.exchange());
  }

  private async exchange(): Promise<void> {
    this.scheduled = false;
    const message = Buffer.concat(this.pending);
    this.pending = [];
    try {
      // The stream form: PGlite keeps the last output callback it was given (its socket server's,
      // after a WebSocket session), so every call must name its own.
      await this.db.runExclusive(() =>
        this.db.execProtocolRawStream(message, {
          onRawData: (data) => {
            // A copy: the view is into PGlite's memory, which the next call reuses.
            if (data.length > 0 && !this.destroyed) this.push(Buffer.from(data));
          },
        }),
      );
    } catch (error) {
      this.destroy(error instanceof Error ? error : new Error(String(error)));
    }
  }
}
