import { DurableObject } from "cloudflare:workers";
import { migrateSqlite } from "../../worker/durable/sqlite-migrations";
import type { EmulatorEnv } from "../env";
import { json, type Reply } from "../reply";
import { idempotencyMismatch } from "./resend-errors";
import { MAIL_MIGRATIONS } from "./schema";
import type { SendInput } from "./send-input";

/** One mail as the sink shows it: what was sent, with its id and when. */
export interface SunkMail extends SendInput {
  id: string;
  at: string;
}

type MailRow = {
  id: string;
  at_real: number;
  from_addr: string;
  to_json: string;
  subject: string;
  text: string | null;
  html: string | null;
  headers_json: string;
};

const toMail = (r: MailRow): SunkMail => ({
  id: r.id,
  at: new Date(r.at_real).toISOString(),
  from: r.from_addr,
  to: JSON.parse(r.to_json) as string[],
  subject: r.subject,
  text: r.text,
  html: r.html,
  headers: JSON.parse(r.headers_json) as Record<string, string>,
});

/**
 * The local stand-in for Resend's inbox side: every mail the app sends lands here (one instance,
 * `idFromName("mail")`, SQLite storage like the Google emulator's state). It keeps idempotency
 * keys as Resend does: the same key with the same body answers the first mail's id and stores
 * nothing; with another body it is a 409.
 */
export class MailSink extends DurableObject<EmulatorEnv> {
  private readonly sql: SqlStorage;

  constructor(ctx: DurableObjectState, env: EmulatorEnv) {
    super(ctx, env);
    this.sql = ctx.storage.sql;
    ctx.blockConcurrencyWhile(async () => migrateSqlite(this.sql, MAIL_MIGRATIONS));
  }

  /** Stores one mail (`POST /emails`), or answers the earlier one of the same idempotency key. */
  send(input: SendInput, idempotencyKey: string | null): Reply {
    const payload = JSON.stringify(input);
    if (idempotencyKey !== null) {
      const earlier = this.sql
        .exec<{ id: string; payload: string }>(
          "SELECT id, payload FROM mails WHERE idempotency_key = ?",
          idempotencyKey,
        )
        .toArray()[0];
      if (earlier) return earlier.payload === payload ? json(200, { id: earlier.id }) : idempotencyMismatch();
    }
    const id = crypto.randomUUID();
    this.sql.exec(
      `INSERT INTO mails (id, at_real, idempotency_key, payload, from_addr, to_json, subject, text, html, headers_json)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      id,
      Date.now(),
      idempotencyKey,
      payload,
      input.from,
      JSON.stringify(input.to),
      input.subject,
      input.text,
      input.html,
      JSON.stringify(input.headers),
    );
    return json(200, { id });
  }

  /** Mails newest first, optionally only those to `to` (case-insensitive), at most `limit`. */
  list(to: string | undefined, limit: number): SunkMail[] {
    const rows = this.sql.exec<MailRow>("SELECT * FROM mails ORDER BY seq DESC").toArray().map(toMail);
    const wanted = to?.toLowerCase();
    const mine = wanted ? rows.filter((m) => m.to.some((a) => a.toLowerCase().includes(wanted))) : rows;
    return mine.slice(0, limit);
  }

  /** One mail, or null. */
  get(id: string): SunkMail | null {
    const row = this.sql.exec<MailRow>("SELECT * FROM mails WHERE id = ?", id).toArray()[0];
    return row ? toMail(row) : null;
  }

  /** Empties the sink. */
  clear(): number {
    const n = this.sql.exec<{ n: number }>("SELECT count(*) AS n FROM mails").one().n;
    this.sql.exec("DELETE FROM mails");
    return n;
  }
}
