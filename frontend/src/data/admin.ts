import { query } from "@solidjs/router";
import type { InferResponseType } from "hono/client";
import { api, send } from "./api";

/** The QuotaLedger's state for the current Pacific day, as `GET /api/admin/quota` answers it. */
export type QuotaStatus = InferResponseType<typeof api.admin.quota.$get, 200>;

/** One Google Cloud project's day. */
export type QuotaProject = QuotaStatus["projects"][number];

/** Open alerts and the latest dead letters, as `GET /api/admin/operations` answers them. */
export type Operations = InferResponseType<typeof api.admin.operations.$get, 200>;

/** Open alerts and dead letters (admins only). */
export const getOperations = query(async (): Promise<Operations> => {
  return (await send(api.admin.operations.$get())).json();
}, "admin-operations");

/** The ledger's status (admins only). */
export const getQuota = query(async (): Promise<QuotaStatus> => {
  return (await send(api.admin.quota.$get())).json();
}, "admin-quota");
