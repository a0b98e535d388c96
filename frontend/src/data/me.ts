import { action, query, redirect } from "@solidjs/router";
import type { InferResponseType } from "hono/client";
import { ApiError, api, send } from "./api";

/** The signed-in creator's account, as `GET /api/me` answers it. */
export type Account = InferResponseType<typeof api.me.$get, 200>;

/** A plan's limits (`null` active tests is unlimited). */
export type PlanLimits = Account["limits"];

/** The signed-in account, or `null` when signed out (the API answers 401). */
export const getMe = query(async (): Promise<Account | null> => {
  try {
    return await (await send(api.me.$get())).json();
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) return null;
    throw err;
  }
}, "me");

/** Signs this browser out and goes to the front page. */
export const logout = action(async () => {
  await send(api.auth.logout.$post());
  throw redirect("/", { revalidate: getMe.key });
}, "logout");

/** Ends every session of this account, on every device. */
export const logoutAll = action(async () => {
  await send(api.auth["logout-all"].$post());
  throw redirect("/", { revalidate: getMe.key });
}, "logout-all");

/** Deletes the account: its data, its sessions, and the Google grant. */
export const deleteAccount = action(async () => {
  await send(api.me.$delete());
  throw redirect("/", { revalidate: getMe.key });
}, "delete-account");
