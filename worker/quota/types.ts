/**
 * The contract between the QuotaLedger Durable Object and everything that spends YouTube quota.
 * See DESIGN §3 (QuotaLedger) and §2 (which project a call is charged to).
 */

/** Who is asking: premium work has a reserved share, background work may not take the last 40 %. */
export type QuotaPriority = "premium" | "standard" | "background";

/** A Google Cloud project the product spends quota from, as configured (never holding a secret). */
export interface QuotaProjectConfig {
  id: string;
  /** The OAuth client of this project: users pinned here consent to it, their writes are charged here. */
  clientId: string;
  /** Name of the Worker secret holding the OAuth client secret. */
  clientSecretRef: string;
  /** Name of the Worker secret holding the project's API key. */
  apiKeyRef: string;
  /** Units per Pacific day (10,000 by default; raised quotas work the same). */
  dailyLimit: number;
}

/** A request for units. Without `project`, reads go to the project with the most headroom. */
export interface QuotaRequest {
  units: number;
  priority: QuotaPriority;
  project?: string;
  userId?: string;
}

/** Units granted: spend them, then `settle` the grant. */
export interface QuotaGrant {
  granted: true;
  grantId: string;
  project: string;
  /** The project's API key, resolved from the Worker's secrets at grant time (never stored). */
  apiKey: string;
  /** Unsettled grants count as spent after this time (ms since epoch). */
  expiresAt: number;
}

/** No units now: try again at `retryAt` (ms since epoch). */
export interface QuotaDenial {
  granted: false;
  reason: "project_exhausted" | "all_exhausted" | "priority_band" | "user_cap" | "unknown_project";
  retryAt: number;
}

/** What a granted call really cost, and how YouTube answered. */
export interface QuotaSettlement {
  units: number;
  outcome: "ok" | "quotaExceeded" | "error";
}

/** The ledger as its callers see it (the QuotaLedger DO's RPC methods have these shapes). */
export interface QuotaGate {
  reserve(request: QuotaRequest): Promise<QuotaGrant | QuotaDenial>;
  settle(grantId: string, settlement: QuotaSettlement): Promise<void>;
}
