import { env } from "cloudflare:test";
import { expect } from "vitest";
import type { SqlRequestLog, SqlRequestRecord } from "../../scripts/db-http";

/** The local proxy's record of the SQL-over-HTTP requests it served (statement texts only). */
export async function requestsAtProxy(): Promise<SqlRequestLog> {
  const response = await fetch(`http://${env.DB_WS_PROXY}/sql/requests`);
  expect(response.status).toBe(200);
  return response.json();
}

/**
 * The requests the proxy served since it had served `total` (test files run one at a time, so
 * they are the requests of what the test did since).
 */
export async function requestsSince(total: number): Promise<SqlRequestRecord[]> {
  const log = await requestsAtProxy();
  return log.recent.slice(-(log.total - total));
}
