import { action, query, redirect } from "@solidjs/router";
import { ApiError, apiFetch, getJson } from "./api";

/** A plan's limits, as `GET /api/me` reports them (mirrors `worker/auth/plans.ts`). */
export interface PlanLimits {
  /** `null` is unlimited. */
  activeTests: number | null;
  minIntervalMinutes: number;
  quotaPriority: "standard" | "premium";
  priceUsd: number;
}

/** The signed-in creator's account (mirrors `GET /api/me`). */
export interface Account {
  id: string;
  email: string;
  name: string | null;
  avatarUrl: string | null;
  channelId: string | null;
  channelTitle: string | null;
  channelAvatarUrl: string | null;
  plan: "free" | "pro" | "authority";
  role: string;
  status: "active" | "needs_reauth";
  createdAt: string;
  limits: PlanLimits;
}

/** The signed-in account, or `null` when signed out (the API answers 401). */
export const getMe = query(async (): Promise<Account | null> => {
  try {
    return await getJson<Account>("/api/me");
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) return null;
    throw err;
  }
}, "me");

/** Signs this browser out and goes to the front page. */
export const logout = action(async () => {
  await apiFetch("POST", "/api/auth/logout");
  throw redirect("/", { revalidate: getMe.key });
}, "logout");

/** Ends every session of this account, on every device. */
export const logoutAll = action(async () => {
  await apiFetch("POST", "/api/auth/logout-all");
  throw redirect("/", { revalidate: getMe.key });
}, "logout-all");

/** Deletes the account: its data, its sessions, and the Google grant. */
export const deleteAccount = action(async () => {
  await apiFetch("DELETE", "/api/me");
  throw redirect("/", { revalidate: getMe.key });
}, "delete-account");
