import { neonConfig, Pool } from "@neondatabase/serverless";
import { WebSocket } from "ws";
import { useLocalProxy } from "../worker/db/driver";

/**
 * A one-connection Pool for Node-side tooling, through the same driver the Worker uses: via the
 * local proxy when `wsProxy` is given, straight to Neon otherwise. Node 20 has no global WebSocket.
 */
export function openNodePool(target: { databaseUrl: string; wsProxy?: string }): Pool {
  const NodeWebSocket = WebSocket as unknown as typeof globalThis.WebSocket;
  if (target.wsProxy) useLocalProxy(target.wsProxy, NodeWebSocket);
  else neonConfig.webSocketConstructor = NodeWebSocket;
  const pool = new Pool({ connectionString: target.databaseUrl, max: 1 });
  pool.on("error", () => {});
  return pool;
}
