/**
 * The contract between the QuotaLedger Durable Object and everything that spends YouTube quota:
 * which project a call is charged to, and how much of a day's units each priority may take. See docs/quota-ledger.md.
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

/** A creator's plan: it sets their daily cap of units (see `QuotaPolicy.userCaps`). */
export type QuotaPlan = "free" | "pro" | "authority";

/** A request for units. Without `project`, reads go to the project with the most headroom. */
export interface QuotaRequest {
  units: number;
  priority: QuotaPriority;
  project?: string;
  userId?: string;
  /** The user's plan, for their daily cap; defaults to the plan given at `assignProject`, else "free". */
  plan?: QuotaPlan;
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

/**
 * Why units were refused. `misconfigured`: the project's API key secret (`apiKeyRef`) is not bound
 * to the Worker, so a grant would be useless.
 */
export type QuotaDenialReason =
  | "project_exhausted"
  | "all_exhausted"
  | "priority_band"
  | "user_cap"
  | "unknown_project"
  | "misconfigured";

/** No units now: try again at `retryAt` (ms since epoch). */
export interface QuotaDenial {
  granted: false;
  reason: QuotaDenialReason;
  retryAt: number;
}

/** What a granted call really cost, and how YouTube answered. */
export interface QuotaSettlement {
  units: number;
  outcome: "ok" | "quotaExceeded" | "error";
}

/** A settlement of one grant in a batch (`settleBatch`). */
export interface QuotaGrantSettlement extends QuotaSettlement {
  grantId: string;
}

/** The ledger as its callers see it (the QuotaLedger DO's RPC methods have these shapes). */
export interface QuotaGate {
  reserve(request: QuotaRequest): Promise<QuotaGrant | QuotaDenial>;
  settle(grantId: string, settlement: QuotaSettlement): Promise<void>;
}

/** How the ledger shares each project's day (QUOTA_POLICY; every field has a default). */
export interface QuotaPolicy {
  /** Share of each project's day only premium work may use (default 0.2). */
  premiumShare: number;
  /** Share at the end of each project's day background work may not take (default 0.4). */
  backgroundReserve: number;
  /** Units per Pacific day one user may spend, by plan. */
  userCaps: Record<QuotaPlan, number>;
  /** How long a grant stays open before it counts as spent (default 120 s). */
  grantTtlMs: number;
}

/** A project an OAuth sign-in should use (its client); the secret itself is not sent. */
export interface QuotaProjectChoice {
  project: string;
  clientId: string;
  /** Name of the secret holding the client's OAuth secret. */
  clientSecretRef: string;
}

/** The project a user is pinned to: their OAuth consent and writes belong to its client. */
export interface QuotaAssignment {
  userId: string;
  project: string;
  clientId: string;
  /** Name of the secret holding the client's OAuth secret (the secret itself is not sent). */
  clientSecretRef: string;
  /** False when the user was pinned before (a returning user keeps their project). */
  assigned: boolean;
}

/** Counters of one priority band for the current Pacific day. */
export interface QuotaBandStatus {
  grants: number;
  grantedUnits: number;
  denials: number;
  deniedUnits: number;
}

/** One project's day, as the admin page and metrics show it. */
export interface QuotaProjectStatus {
  id: string;
  clientId: string;
  clientSecretRef: string;
  apiKeyRef: string;
  dailyLimit: number;
  /** Where the project comes from; `admin` overrides a configured project of the same id. */
  source: "config" | "admin";
  /** Units spent today: settled costs and expired grants. */
  used: number;
  /** Units held by open grants. */
  reserved: number;
  /** `dailyLimit − used − reserved`, never below 0; 0 while exhausted. */
  headroom: number;
  /** Set while YouTube said `quotaExceeded`: the next reset (ms since epoch). */
  exhaustedUntil: number | null;
  pinnedUsers: number;
}

/** The ledger's state for the admin page and metrics. */
export interface QuotaStatus {
  now: number;
  /** The Pacific day, `YYYY-MM-DD`. */
  day: string;
  nextResetAt: number;
  policy: QuotaPolicy;
  projects: QuotaProjectStatus[];
  priorities: Record<QuotaPriority, QuotaBandStatus>;
  denialsByReason: Partial<Record<QuotaDenialReason, number>>;
  openGrants: number;
  /** Alert jobs recorded but not yet handed to the queue. */
  pendingJobs: number;
}
