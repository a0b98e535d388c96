import type { IncomingMessage, ServerResponse } from "node:http";
import type { Duplex } from "node:stream";
import pg from "pg";
import type { BackendLock } from "./db-proxy";

const { DatabaseError, Pool } = pg;
type Pool = pg.Pool;
type PoolClient = pg.PoolClient;

/**
 * Neon's SQL-over-HTTP protocol, served locally: `POST /sql` as `@neondatabase/serverless`'s
 * `neon()` (and drizzle's `neon-http` driver) speak it, on the port of the WebSocket proxy
 * (scripts/db-proxy.ts).
 *
 * - Request: JSON `{ query, params }`, or `{ queries: [{ query, params }, …] }` for a batch, with
 *   the headers `Neon-Connection-String` (user, password and database; the host is always the
 *   proxy's upstream), `Neon-Raw-Text-Output: true`, `Neon-Array-Mode`, and for batches
 *   `Neon-Batch-Isolation-Level`, `Neon-Batch-Read-Only`, `Neon-Batch-Deferrable`.
 * - Answer: `{ command, rowCount, rows, fields: [{ name, dataTypeID, … }], rowAsArray }` with every
 *   value as Postgres text (the driver parses it by type OID), or `{ results: [...] }` for a batch;
 *   a Postgres error is status 400 with Postgres' error fields (`message`, `code`, `detail`, …).
 * - A batch is one transaction: any failing statement rolls the others back.
 * - Every statement is prepared (Postgres' extended protocol), as on Neon: a text of several
 *   statements fails with Postgres' own error before any of it runs.
 *
 * Queries run on warm pools of node-postgres connections (plain TCP to a PostgreSQL upstream; to
 * the embedded PGlite, in-process through `PgliteWire`), so a request starts no Postgres backend
 * and crosses no WebSocket; in front of PGlite each request holds the proxy's backend lock,
 * serialised like every session of the WebSocket path.
 */
export interface SqlOverHttpOptions {
  /** Where Postgres listens (the proxy's upstream): the connection string names only who and which database. */
  upstream: { host: string; port: number };
  /** Connections per pool (one pool per user and database). */
  poolSize: number;
  /** The proxy's lock of a single-backend upstream (PGlite): each request runs holding it. */
  lock?: BackendLock;
  /** Opens a connection to an in-process upstream (PGlite) instead of a TCP socket to `upstream`. */
  stream?: () => Duplex;
}

/** The HTTP side of the proxy: a request handler and the pools behind it. */
export interface SqlOverHttp {
  /** Answers one HTTP request of the proxy's server (any path: others get a JSON 404). */
  handle(req: IncomingMessage, res: ServerResponse): void;
  /** Ends every pool. */
  close(): Promise<void>;
}

/** One request seen by `POST /sql`, kept for `GET /sql/requests` (statement texts, no parameters). */
export interface SqlRequestRecord {
  statements: string[];
  batch: boolean;
  status: number;
}

/** What `GET /sql/requests` answers: a count of every request and the latest ones, oldest first. */
export interface SqlRequestLog {
  total: number;
  recent: SqlRequestRecord[];
}

interface Statement {
  query: string;
  params: Array<string | null>;
}

interface BatchOptions {
  isolationLevel?: string;
  readOnly?: boolean;
  deferrable?: boolean;
}

/** A request refused before any SQL ran: answered with `status` and `{ message }`. */
class Refusal extends Error {
  constructor(
    message: string,
    readonly status = 400,
  ) {
    super(message);
  }
}

const MAX_BODY_BYTES = 16 * 1024 * 1024;
const MAX_POOLS = 8;
const LOG_SIZE = 256;
const LOGGED_STATEMENT_CHARS = 500;

const ISOLATION_LEVELS: Record<string, string> = {
  ReadUncommitted: "read uncommitted",
  ReadCommitted: "read committed",
  RepeatableRead: "repeatable read",
  Serializable: "serializable",
};

/** The fields of Postgres' ErrorResponse that Neon's driver copies onto its error. */
const ERROR_FIELDS = [
  "severity",
  "code",
  "detail",
  "hint",
  "position",
  "internalPosition",
  "internalQuery",
  "where",
  "schema",
  "table",
  "column",
  "dataType",
  "constraint",
  "file",
  "line",
  "routine",
] as const;

/** Every value stays Postgres text: the client parses it by type OID, exactly as with Neon. */
const RAW_TEXT = { getTypeParser: () => (value: string) => value };

/** Starts the HTTP side; pools open lazily, one per user and database, and then stay warm. */
export function createSqlOverHttp(options: SqlOverHttpOptions): SqlOverHttp {
  const pools = new Map<string, Pool>();
  const log: SqlRequestRecord[] = [];
  let total = 0;

  function poolFor(connectionString: string): Pool {
    const key = poolKey(connectionString);
    const existing = pools.get(key);
    if (existing) return existing;
    if (pools.size >= MAX_POOLS) {
      const [oldestKey, oldest] = pools.entries().next().value ?? [];
      if (oldestKey !== undefined) pools.delete(oldestKey);
      void oldest?.end().catch(() => {});
    }
    // The connection string's host is whatever the Worker was told; the upstream is where it is.
    const url = new URL(key);
    url.hostname = options.upstream.host;
    url.port = String(options.upstream.port);
    // Idle connections never time out: the pool stays warm for the next request.
    // Pipelined connections: a batch's statements go out in one write, not one round trip each.
    const pool = new Pool({
      connectionString: url.toString(),
      max: options.poolSize,
      idleTimeoutMillis: 0,
      pipeline: true,
      stream: options.stream,
    });
    // An idle connection's error (the server went away) removes it from the pool; queries still
    // reject on their own. Nothing may go unheard: an unheard `error` event ends the process.
    pool.on("error", () => {});
    pool.on("connect", (client: PoolClient) => client.on("error", () => {}));
    pools.set(key, pool);
    return pool;
  }

  function record(entry: SqlRequestRecord): void {
    total++;
    log.push(entry);
    if (log.length > LOG_SIZE) log.shift();
  }

  async function serveSql(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let statements: string[] = [];
    let batch = false;
    let status = 200;
    try {
      const request = parseHeaders(req);
      const body = parseBody(await readBody(req));
      batch = Array.isArray(body);
      statements = (Array.isArray(body) ? body : [body]).map((s) => s.query.slice(0, LOGGED_STATEMENT_CHARS));
      const pool = poolFor(request.connectionString);
      const run = async () => {
        const client = await connectTo(pool);
        let broken: Error | undefined;
        try {
          return Array.isArray(body)
            ? { results: await runBatch(client, body, request.batch, request.arrayMode) }
            : await runOne(client, body, request.arrayMode);
        } catch (error) {
          if (!(error instanceof DatabaseError))
            broken = error instanceof Error ? error : new Error(String(error));
          throw error;
        } finally {
          // A connection that failed other than with a Postgres error is not reused.
          client.release(broken);
        }
      };
      sendJson(res, 200, await (options.lock ? options.lock.run(run) : run()));
    } catch (error) {
      status = sendError(res, error);
    } finally {
      record({ statements, batch, status });
    }
  }

  return {
    handle(req, res) {
      const path = new URL(req.url ?? "/", "http://localhost").pathname;
      if (path === "/sql" && req.method === "POST") {
        void serveSql(req, res);
      } else if (path === "/sql/requests" && req.method === "GET") {
        const answer: SqlRequestLog = { total, recent: log };
        sendJson(res, 200, answer);
      } else if (path === "/sql" || path === "/sql/requests") {
        sendJson(res, 405, { message: `${req.method} is not allowed on ${path}` });
      } else {
        sendJson(res, 404, { message: `no such endpoint: ${path} (the SQL endpoint is POST /sql)` });
      }
    },
    async close() {
      const open = [...pools.values()];
      pools.clear();
      await Promise.all(open.map((pool) => pool.end().catch(() => {})));
    },
  };
}

/** The pool's key and connection string: the driver's `application_name` is no reason for a pool. */
function poolKey(connectionString: string): string {
  const url = new URL(connectionString);
  url.searchParams.delete("application_name");
  return url.toString();
}

async function connectTo(pool: Pool): Promise<PoolClient> {
  try {
    return await pool.connect();
  } catch (error) {
    // A Postgres refusal at start-up (no such database, bad password) is the caller's to fix.
    if (error instanceof DatabaseError) throw error;
    throw new Refusal(`could not reach the database: ${error instanceof Error ? error.message : error}`, 502);
  }
}

function parseHeaders(req: IncomingMessage): {
  connectionString: string;
  arrayMode: boolean;
  batch: BatchOptions;
} {
  const connectionString = header(req, "neon-connection-string");
  if (!connectionString) throw new Refusal("missing Neon-Connection-String header");
  let url: URL;
  try {
    url = new URL(connectionString);
  } catch {
    throw new Refusal("Neon-Connection-String is not a URL");
  }
  if (url.protocol !== "postgres:" && url.protocol !== "postgresql:")
    throw new Refusal("Neon-Connection-String must be a postgres:// or postgresql:// URL");
  if (!url.username || url.pathname.length <= 1)
    throw new Refusal("Neon-Connection-String must name a user and a database");
  // Without raw text output Neon converts values to JSON itself; the driver always asks for text.
  if (header(req, "neon-raw-text-output") !== "true")
    throw new Refusal("this endpoint answers raw text only: send Neon-Raw-Text-Output: true");
  const isolation = header(req, "neon-batch-isolation-level");
  if (isolation !== undefined && !(isolation in ISOLATION_LEVELS))
    throw new Refusal(
      `Neon-Batch-Isolation-Level must be one of ${Object.keys(ISOLATION_LEVELS).join(", ")}`,
    );
  return {
    connectionString,
    arrayMode: header(req, "neon-array-mode") === "true",
    batch: {
      isolationLevel: isolation,
      readOnly: booleanHeader(req, "neon-batch-read-only"),
      deferrable: booleanHeader(req, "neon-batch-deferrable"),
    },
  };
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function booleanHeader(req: IncomingMessage, name: string): boolean | undefined {
  const value = header(req, name);
  if (value === undefined) return undefined;
  if (value === "true") return true;
  if (value === "false") return false;
  throw new Refusal(`${name} must be true or false`);
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as string);
    size += buffer.length;
    if (size > MAX_BODY_BYTES) throw new Refusal(`request body over ${MAX_BODY_BYTES} bytes`, 413);
    chunks.push(buffer);
  }
  return Buffer.concat(chunks).toString("utf8");
}

/** One statement, or a batch of them (an array), from the request's JSON. */
function parseBody(text: string): Statement | Statement[] {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new Refusal("the request body is not JSON");
  }
  if (isRecord(body) && Array.isArray(body.queries)) {
    if (body.queries.length === 0) throw new Refusal("queries is empty");
    return body.queries.map((entry, i) => parseStatement(entry, `queries[${i}]`));
  }
  return parseStatement(body, "the body");
}

function parseStatement(value: unknown, where: string): Statement {
  if (!isRecord(value) || typeof value.query !== "string")
    throw new Refusal(`${where} must be { query: string, params?: [...] }`);
  const params = value.params ?? [];
  if (!Array.isArray(params)) throw new Refusal(`${where}.params must be an array`);
  return {
    query: value.query,
    params: params.map((param, i) => {
      // The driver sends every value already as Postgres text (or null); plain JSON scalars pass too.
      if (param === null || typeof param === "string") return param;
      if (typeof param === "number" || typeof param === "boolean") return String(param);
      throw new Refusal(`${where}.params[${i}] must be a string, a number, a boolean or null`);
    }),
  };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * The name each statement text is prepared under on every connection, so Postgres parses and
 * plans it once per connection rather than per request (the app's statements are a few dozen
 * texts run over and over). Capped: past it, new texts run unnamed, so one-off texts cannot grow
 * every backend's memory without bound.
 */
const preparedNames = new Map<string, string>();
const MAX_PREPARED = 1_000;

/**
 * A tag per connection, in the names it prepares: PGlite is one session behind every connection
 * and outlives each, so a connection that replaces a broken one must not reuse its names (PGlite
 * would answer that the statement already exists).
 */
const connectionTags = new WeakMap<PoolClient, string>();
let connectionsTagged = 0;

function preparedName(client: PoolClient, statement: Statement): string | undefined {
  let name = preparedNames.get(statement.query);
  if (name === undefined && preparedNames.size < MAX_PREPARED) {
    name = `s${preparedNames.size}`;
    preparedNames.set(statement.query, name);
  }
  if (name === undefined) return undefined;
  let tag = connectionTags.get(client);
  if (tag === undefined) {
    tag = `c${++connectionsTagged}`;
    connectionTags.set(client, tag);
  }
  return `${tag}${name}`;
}

/** Runs one statement and answers Neon's result shape. */
async function runOne(client: PoolClient, statement: Statement, arrayMode: boolean): Promise<unknown> {
  const result = await client.query<Array<string | null>>({
    name: preparedName(client, statement),
    text: statement.query,
    values: statement.params,
    rowMode: "array",
    types: RAW_TEXT,
    // Unnamed texts too (past the cap), so that no text runs through the simple protocol.
    queryMode: "extended",
  } as pg.QueryArrayConfig);
  const fields = result.fields.map((f) => ({
    name: f.name,
    tableID: f.tableID,
    columnID: f.columnID,
    dataTypeID: f.dataTypeID,
    dataTypeSize: f.dataTypeSize,
    dataTypeModifier: f.dataTypeModifier,
    format: f.format,
  }));
  const rows = result.rows;
  return {
    command: result.command,
    rowCount: result.rowCount,
    rows: arrayMode
      ? rows
      : rows.map((row) => Object.fromEntries(fields.map((f, i) => [f.name, row[i] ?? null]))),
    fields,
    rowAsArray: arrayMode,
  };
}

/**
 * Runs a batch as one transaction with the requested characteristics, in one round trip: the
 * begin, every statement and the commit are written at once (the pools' connections pipeline).
 * A failing statement aborts the transaction, so the statements after it fail too and the commit
 * rolls back; the answer is the first statement's own error.
 */
async function runBatch(
  client: PoolClient,
  statements: Statement[],
  options: BatchOptions,
  arrayMode: boolean,
): Promise<unknown[]> {
  const characteristics = [
    options.isolationLevel ? `isolation level ${ISOLATION_LEVELS[options.isolationLevel]}` : "",
    options.readOnly === undefined ? "" : options.readOnly ? "read only" : "read write",
    options.deferrable === undefined ? "" : options.deferrable ? "deferrable" : "not deferrable",
  ].filter(Boolean);
  // Corked, the whole batch leaves in one write: a syscall per message was the proxy's main cost.
  const socket = client.connection.stream;
  socket.cork();
  let sent: Array<Promise<unknown>>;
  try {
    // The begin's text comes from validated headers only: it cannot fail while the rest runs.
    const begin = client.query(`begin ${characteristics.join(", ")}`);
    const results = statements.map((statement) => runOne(client, statement, arrayMode));
    sent = [begin, ...results, client.query("commit")];
  } finally {
    socket.uncork();
  }
  const settled = await Promise.allSettled(sent);
  const failed = settled.find((outcome) => outcome.status === "rejected");
  if (failed) throw failed.reason;
  return settled.slice(1, -1).map((outcome) => (outcome as PromiseFulfilledResult<unknown>).value);
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text) });
  res.end(text);
}

/** Answers an error in Neon's shape; answers the status sent. */
function sendError(res: ServerResponse, error: unknown): number {
  if (error instanceof DatabaseError) {
    const body: Record<string, unknown> = { message: error.message };
    for (const field of ERROR_FIELDS) if (error[field] !== undefined) body[field] = error[field];
    sendJson(res, 400, body);
    return 400;
  }
  if (error instanceof Refusal) {
    sendJson(res, error.status, { message: error.message });
    return error.status;
  }
  // Not a Postgres error: the connection broke under the query.
  const message = error instanceof Error ? error.message : String(error);
  sendJson(res, 502, { message: `the database connection failed: ${message}` });
  return 502;
}
