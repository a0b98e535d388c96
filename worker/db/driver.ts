import { neonConfig } from "@neondatabase/serverless";

/** A WebSocket class the driver can construct. */
export type WebSocketClass = new (url: string, protocols?: string | string[]) => WebSocket;

/** Whether a frame is exactly the Postgres Terminate message: 'X' followed by length 4. */
function isTerminate(data: unknown): boolean {
  if (!(data instanceof Uint8Array) || data.length !== 5) return false;
  return data[0] === 0x58 && data[1] === 0 && data[2] === 0 && data[3] === 0 && data[4] === 4;
}

/**
 * The driver (1.2.0) drops the callback of its Terminate write and so never closes its WebSocket;
 * the dangling socket later surfaces as "Network connection lost" outside any request. This
 * WebSocket closes itself right after sending Terminate.
 */
function closingAfterTerminate(Base: WebSocketClass): WebSocketClass {
  return class extends Base {
    override send(data: Parameters<WebSocket["send"]>[0]): void {
      super.send(data);
      if (isTerminate(data)) this.close();
    }
  };
}

/** The driver settings that reach a local proxy, for one client or for the whole isolate. */
export interface LocalProxySettings {
  webSocketConstructor: WebSocketClass;
  wsProxy: () => string;
  useSecureWebSocket: false;
  pipelineTLS: false;
  pipelineConnect: false;
  coalesceWrites: false;
}

/**
 * The settings for the local WebSocket proxy at `proxy` (`host:port`, scripts/db-proxy.ts). Without a
 * proxy the driver keeps its defaults, which are right for Neon.
 */
function localProxySettings(proxy: string, WebSocketBase: WebSocketClass = WebSocket): LocalProxySettings {
  return {
    webSocketConstructor: closingAfterTerminate(WebSocketBase),
    wsProxy: () => `${proxy}/v1`,
    useSecureWebSocket: false,
    // Pipelining would send a cleartext password; local Postgres answers with SCRAM.
    pipelineTLS: false,
    pipelineConnect: false,
    // Coalescing waits a timer on every round trip: ~1.7 ms instead of ~0.2 ms for `select 1`.
    coalesceWrites: false,
  };
}

let configuredFor: string | undefined;

/**
 * Points `@neondatabase/serverless` at a local WebSocket proxy (scripts/db-proxy.ts) instead of
 * Neon. The settings are the driver's globals, so this is done once per isolate.
 */
export function useLocalProxy(proxy: string, WebSocketBase: WebSocketClass = WebSocket): void {
  if (configuredFor === proxy) return;
  configuredFor = proxy;
  Object.assign(neonConfig, localProxySettings(proxy, WebSocketBase));
}

let fetchConfiguredFor: string | undefined;

/**
 * Points the driver's HTTP queries (`neon()`) at the local proxy's `POST /sql`, on the same
 * `host:port` as its WebSocket path. A global of the driver too, so once per isolate.
 */
export function useLocalSqlEndpoint(proxy: string): void {
  if (fetchConfiguredFor === proxy) return;
  fetchConfiguredFor = proxy;
  neonConfig.fetchEndpoint = `http://${proxy}/sql`;
}
