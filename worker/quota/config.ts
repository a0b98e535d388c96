import { z } from "zod";
import type { QuotaPlan, QuotaPolicy, QuotaProjectConfig } from "./types";

/** The largest daily limit accepted: far above any raised quota Google grants. */
export const MAX_DAILY_LIMIT = 1_000_000_000;

const secretRef = z
  .string()
  .regex(
    /^[A-Z][A-Z0-9_]{0,127}$/,
    "must name a Worker secret (UPPER_SNAKE_CASE), never hold the secret itself",
  );

/** A project as configured or posted to the admin API (validated: it names secrets, never holds them). */
export const quotaProjectConfigSchema = z.strictObject({
  id: z.string().regex(/^[a-z0-9][a-z0-9_-]{0,63}$/i, "letters, digits, - and _ (at most 64)"),
  clientId: z.string().trim().min(1).max(256),
  clientSecretRef: secretRef,
  apiKeyRef: secretRef,
  dailyLimit: z.number().int().min(1).max(MAX_DAILY_LIMIT),
}) satisfies z.ZodType<QuotaProjectConfig>;

/** A new daily limit for a project (admin PATCH). */
export const dailyLimitSchema = z.number().int().min(1).max(MAX_DAILY_LIMIT);

/** The policy used when QUOTA_POLICY leaves a field out. */
export const DEFAULT_QUOTA_POLICY: QuotaPolicy = {
  premiumShare: 0.2,
  backgroundReserve: 0.4,
  userCaps: { free: 1_000, pro: 5_000, authority: 20_000 },
  grantTtlMs: 120_000,
};

const share = z.number().min(0).max(1);
const cap = z.number().int().min(0).max(MAX_DAILY_LIMIT);
const policySchema = z.strictObject({
  premiumShare: share.optional(),
  backgroundReserve: share.optional(),
  userCaps: z
    .strictObject({ free: cap.optional(), pro: cap.optional(), authority: cap.optional() })
    .optional(),
  grantTtlMs: z.number().int().min(1_000).max(3_600_000).optional(),
});

/** The ledger's configuration, read from the Worker's vars. */
export interface QuotaConfig {
  projects: QuotaProjectConfig[];
  policy: QuotaPolicy;
}

/** The vars the ledger reads (strings, as wrangler passes them). */
export interface QuotaConfigEnv {
  QUOTA_PROJECTS?: string;
  QUOTA_POLICY?: string;
}

function parseJson(name: string, text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new Error(`${name} is not valid JSON`);
  }
}

function describe(error: z.ZodError): string {
  return error.issues
    .map((issue) => `${issue.path.map(String).join(".") || "(root)"}: ${issue.message}`)
    .join("; ");
}

/**
 * Reads QUOTA_PROJECTS (a JSON array of QuotaProjectConfig) and QUOTA_POLICY (a JSON object, every
 * field optional). Throws on malformed configuration: a ledger that silently ran without its
 * projects would deny every call of the product.
 */
export function readQuotaConfig(env: QuotaConfigEnv): QuotaConfig {
  const projectsResult = z
    .array(quotaProjectConfigSchema)
    .safeParse(env.QUOTA_PROJECTS ? parseJson("QUOTA_PROJECTS", env.QUOTA_PROJECTS) : []);
  if (!projectsResult.success)
    throw new Error(`QUOTA_PROJECTS is invalid: ${describe(projectsResult.error)}`);
  const ids = new Set<string>();
  for (const project of projectsResult.data) {
    if (ids.has(project.id)) throw new Error(`QUOTA_PROJECTS names project ${project.id} twice`);
    ids.add(project.id);
  }
  const policyResult = policySchema.safeParse(
    env.QUOTA_POLICY ? parseJson("QUOTA_POLICY", env.QUOTA_POLICY) : {},
  );
  if (!policyResult.success) throw new Error(`QUOTA_POLICY is invalid: ${describe(policyResult.error)}`);
  const given = policyResult.data;
  const userCaps: Record<QuotaPlan, number> = { ...DEFAULT_QUOTA_POLICY.userCaps };
  for (const plan of ["free", "pro", "authority"] as const) {
    const value = given.userCaps?.[plan];
    if (value !== undefined) userCaps[plan] = value;
  }
  return {
    projects: projectsResult.data,
    policy: {
      premiumShare: given.premiumShare ?? DEFAULT_QUOTA_POLICY.premiumShare,
      backgroundReserve: given.backgroundReserve ?? DEFAULT_QUOTA_POLICY.backgroundReserve,
      userCaps,
      grantTtlMs: given.grantTtlMs ?? DEFAULT_QUOTA_POLICY.grantTtlMs,
    },
  };
}
