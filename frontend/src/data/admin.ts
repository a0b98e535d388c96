import { query } from "@solidjs/router";
import type { InferResponseType } from "hono/client";
import { api, send } from "./api";

/** The QuotaLedger's state for the current Pacific day, as `GET /api/admin/quota` answers it. */
export type QuotaStatus = InferResponseType<typeof api.admin.quota.$get, 200>;

/** One Google Cloud project's day. */
export type QuotaProject = QuotaStatus["projects"][number];

/** The ledger's status (admins only). */
export const getQuota = query(async (): Promise<QuotaStatus> => {
  return (await send(api.admin.quota.$get())).json();
}, "admin-quota");
