import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { connect, type Socket } from "node:net";
import { type RawData, type WebSocket, WebSocketServer } from "ws";

/**
 * A local stand-in for Neon's WebSocket proxy: each WebSocket carries raw Postgres protocol bytes
 * in binary frames to one TCP connection upstream. `@neondatabase/serverless` reaches it through
 * `neonConfig.wsProxy` (see worker/db/client.ts).
 *
 * Two things a plain pipe would get wrong:
 * - PGlite does not close a connection on Terminate, and workerd reports the dangling socket as
 *   "Network connection lost" after the request ended; so the proxy closes both sides itself.
 * - PGlite has a single backend, and interleaved messages of two connections break each other's
 *   unnamed portals. With a `lock`, one connection at a time may talk to the backend, from its
 *   first message until the backend is idle again (ReadyForQuery "I"): whole queries and whole
 *   transactions run alone, while idle connections hold nothing. Waiting on a second connection
 *   inside a transaction would deadlock here — the app never does that.
 *
 * Plain HTTP requests on the same port go to `http` (Neon's SQL-over-HTTP, scripts/db-http.ts).
 */
export interface DbProxyOptions {
  port: number;
  host?: string;
  upstream: { host: string; port: number };
  /** Serialises the backend's sessions (PGlite's single backend), shared with the HTTP side. */
  lock?: BackendLock;
  /** Answers the port's plain HTTP requests (anything but the WebSocket upgrade). */
  http?: (req: IncomingMessage, res: ServerResponse) => void;
}

/** A running proxy. */
export interface DbProxy {
  port: number;
  close(): Promise<void>;
}

/** How long the HTTP side keeps an idle keep-alive connection (announced as `Keep-Alive: timeout=`). */
export const HTTP_KEEP_ALIVE_MS = 75_000;

const SSL_REQUEST_CODE = 80877103;
const STARTUP = -1; // the untyped first message
const TERMINATE = 0x58; // 'X'
const SYNC = 0x53; // 'S'
const QUERY = 0x51; // 'Q'
const READY_FOR_QUERY = 0x5a; // 'Z'
const IDLE = 0x49; // 'I'

/** Splits a stream of Postgres messages (1 type byte + int32 length, after an untyped start-up). */
class MessageScanner {
  private header: Buffer = Buffer.alloc(0);
  private remaining = 0;
  private type = 0;
  private bodyStart: Buffer = Buffer.alloc(0);

  constructor(
    private untypedFirst: boolean,
    private onMessage: (type: number, firstBodyByte: number | undefined) => void,
  ) {}

  push(chunk: Buffer): void {
    let at = 0;
    while (at < chunk.length) {
      if (this.remaining > 0) {
        const take = Math.min(this.remaining, chunk.length - at);
        if (this.bodyStart.length === 0) this.bodyStart = chunk.subarray(at, at + Math.min(take, 1));
        this.remaining -= take;
        at += take;
        if (this.remaining === 0) this.finish();
        continue;
      }
      const headerSize = this.untypedFirst ? 4 : 5;
      const take = Math.min(headerSize - this.header.length, chunk.length - at);
      this.header = Buffer.concat([this.header, chunk.subarray(at, at + take)]);
      at += take;
      if (this.header.length < headerSize) continue;
      if (this.untypedFirst) {
        this.type = 0;
        this.remaining = this.header.readInt32BE(0) - 4;
      } else {
        this.type = this.header[0] ?? 0;
        this.remaining = this.header.readInt32BE(1) - 4;
      }
      this.bodyStart = Buffer.alloc(0);
      if (this.remaining === 0) this.finish();
    }
  }

  private finish(): void {
    const wasUntyped = this.untypedFirst;
    this.untypedFirst = false;
    this.header = Buffer.alloc(0);
    this.onMessage(wasUntyped ? STARTUP : this.type, this.bodyStart[0]);
  }
}

/** A FIFO mutex: the backend belongs to one connection at a time. */
export class BackendLock {
  private holder: object | null = null;
  private waiting: Array<{ owner: object; grant: () => void }> = [];

  acquire(owner: object, grant: () => void): void {
    if (this.holder === null) this.holder = owner;
    if (this.holder === owner) grant();
    else if (!this.waiting.some((w) => w.owner === owner)) this.waiting.push({ owner, grant });
  }

  release(owner: object): void {
    this.waiting = this.waiting.filter((w) => w.owner !== owner);
    if (this.holder !== owner) return;
    const next = this.waiting.shift();
    this.holder = next?.owner ?? null;
    next?.grant();
  }

  /** Runs `work` while holding the backend (an HTTP request's whole batch, start-up included). */
  async run<T>(work: () => Promise<T>): Promise<T> {
    const owner = {};
    await new Promise<void>((grant) => this.acquire(owner, grant));
    try {
      return await work();
    } finally {
      this.release(owner);
    }
  }
}

/** Starts the proxy; resolves once it listens. */
export async function startDbProxy(options: DbProxyOptions): Promise<DbProxy> {
  const lock = options.lock ?? new BackendLock();
  const httpServer = createServer((req, res) => {
    if (options.http) return options.http(req, res);
    res.writeHead(426, { "content-type": "application/json" });
    res.end(JSON.stringify({ message: "this port speaks WebSocket only" }));
  });
  // The server must never be the side that closes an idle keep-alive connection: a client (workerd
  // keeps idle connections ~5 s) that reuses one just as the server closes it gets "Network
  // connection lost" — under load, with timers firing late, that was a 500 every few hundred reads.
  // So idle connections stay open well past any client's idle timeout; `close` ends them anyway.
  httpServer.keepAliveTimeout = HTTP_KEEP_ALIVE_MS;
  httpServer.headersTimeout = HTTP_KEEP_ALIVE_MS + 1_000;
  const server = new WebSocketServer({ server: httpServer });
  const sockets = new Set<Socket>();

  server.on("connection", (ws: WebSocket) => {
    const session = {};
    const upstream = connect(options.upstream.port, options.upstream.host);
    sockets.add(upstream);
    upstream.setNoDelay(true);
    const pending: Buffer[] = [];
    let closed = false;

    const closeBoth = () => {
      if (closed) return;
      closed = true;
      lock.release(session);
      upstream.destroy();
      sockets.delete(upstream);
      if (ws.readyState === ws.OPEN || ws.readyState === ws.CONNECTING) ws.close();
    };

    const flush = () => {
      if (closed) return;
      for (const chunk of pending.splice(0)) upstream.write(chunk);
    };

    // Queries sent whose ReadyForQuery has not come back yet: the backend is ours until it is 0.
    let outstanding = 0;
    let terminating = false;
    let firstMessage = true;
    let sslAnswerPending = false;
    const fromClient = new MessageScanner(true, (type) => {
      if (type === TERMINATE) terminating = true;
      if (type === STARTUP || type === SYNC || type === QUERY) outstanding++;
    });
    const fromServer = new MessageScanner(false, (type, firstBodyByte) => {
      if (type !== READY_FOR_QUERY) return;
      outstanding = Math.max(0, outstanding - 1);
      if (outstanding === 0 && firstBodyByte === IDLE) lock.release(session);
    });

    ws.on("message", (data: RawData) => {
      const chunk = Array.isArray(data)
        ? Buffer.concat(data)
        : Buffer.isBuffer(data)
          ? data
          : Buffer.from(data);
      if (firstMessage && chunk.length === 8 && chunk.readInt32BE(4) === SSL_REQUEST_CODE) {
        sslAnswerPending = true;
      } else {
        fromClient.push(chunk);
      }
      firstMessage = false;
      if (terminating) {
        upstream.end(chunk, () => closeBoth());
        return;
      }
      pending.push(chunk);
      if (options.lock) lock.acquire(session, flush);
      else flush();
    });

    upstream.on("data", (chunk: Buffer) => {
      let rest = chunk;
      if (sslAnswerPending) {
        // The answer to an SSLRequest is a single untyped byte ('N': no TLS here).
        sslAnswerPending = false;
        rest = chunk.subarray(1);
        if (outstanding === 0) lock.release(session);
      }
      fromServer.push(rest);
      if (ws.readyState === ws.OPEN) ws.send(chunk);
    });
    upstream.on("error", closeBoth);
    upstream.on("close", closeBoth);
    ws.on("close", closeBoth);
    ws.on("error", closeBoth);
  });

  await new Promise<void>((resolve, reject) => {
    httpServer.once("listening", resolve);
    httpServer.once("error", reject);
    httpServer.listen(options.port, options.host ?? "127.0.0.1");
  });
  const address = httpServer.address();
  const port = typeof address === "object" && address ? address.port : options.port;
  return {
    port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const client of server.clients) client.terminate();
        for (const socket of sockets) socket.destroy();
        server.close();
        httpServer.closeAllConnections();
        httpServer.close(() => resolve());
      }),
  };
}
