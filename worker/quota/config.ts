import { z } from "zod";
import { createLogger } from "../logging/logger";
import type { QuotaPlan, QuotaPolicy, QuotaProjectConfig } from "./types";

/** The largest daily limit accepted: far above any raised quota Google grants. */
export const MAX_DAILY_LIMIT = 1_000_000_000;

/**
 * The only Worker secrets a project may name. Whatever a ref names is sent to Google (as
 * `client_secret` or `key`): a ref naming `SESSION_KEYS` or `DATABASE_URL` would hand that secret
 * to a third party, so refs are held to the Google credentials' own names.
 */
export const googleCredentialRefs = {
  clientSecret: /^GOOGLE_CLIENT_SECRET_[A-Z0-9_]{1,100}$/,
  apiKey: /^YOUTUBE_API_KEY_[A-Z0-9_]{1,100}$/,
} as const;

/** Whether `ref` may be read as a Google credential of this kind (checked again wherever one is read). */
export function isGoogleCredentialRef(kind: keyof typeof googleCredentialRefs, ref: string): boolean {
  return googleCredentialRefs[kind].test(ref);
}

const anySecretRef = z
  .string()
  .regex(
    /^[A-Z][A-Z0-9_]{0,127}$/,
    "must name a Worker secret (UPPER_SNAKE_CASE), never hold the secret itself",
  );

const projectShape = {
  id: z.string().regex(/^[a-z0-9][a-z0-9_-]{0,63}$/i, "letters, digits, - and _ (at most 64)"),
  clientId: z.string().trim().min(1).max(256),
  dailyLimit: z.number().int().min(1).max(MAX_DAILY_LIMIT),
};

/** A project as configured or posted to the admin API (validated: it names secrets, never holds them). */
export const quotaProjectConfigSchema = z.strictObject({
  ...projectShape,
  clientSecretRef: anySecretRef.regex(
    googleCredentialRefs.clientSecret,
    "must name a GOOGLE_CLIENT_SECRET_* secret: whatever it names is sent to Google",
  ),
  apiKeyRef: anySecretRef.regex(
    googleCredentialRefs.apiKey,
    "must name a YOUTUBE_API_KEY_* secret: whatever it names is sent to Google",
  ),
}) satisfies z.ZodType<QuotaProjectConfig>;

/** A configured project before its refs are checked (a bad ref drops the project, not the ledger). */
const configuredProjectSchema = z.strictObject({
  ...projectShape,
  clientSecretRef: anySecretRef,
  apiKeyRef: anySecretRef,
});

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
    .array(configuredProjectSchema)
    .safeParse(env.QUOTA_PROJECTS ? parseJson("QUOTA_PROJECTS", env.QUOTA_PROJECTS) : []);
  if (!projectsResult.success)
    throw new Error(`QUOTA_PROJECTS is invalid: ${describe(projectsResult.error)}`);
  // A project naming any other secret is left out (and said so loudly): its calls would send
  // that secret to Google. The other projects keep the product running.
  const projects = projectsResult.data.filter((project) => {
    const ok =
      isGoogleCredentialRef("clientSecret", project.clientSecretRef) &&
      isGoogleCredentialRef("apiKey", project.apiKeyRef);
    if (!ok) {
      createLogger({ config: "QUOTA_PROJECTS" }).error("quota.project_ignored", {
        project: project.id,
        clientSecretRef: project.clientSecretRef,
        apiKeyRef: project.apiKeyRef,
        reason: "refs must name GOOGLE_CLIENT_SECRET_* and YOUTUBE_API_KEY_* secrets",
      });
    }
    return ok;
  });
  const ids = new Set<string>();
  for (const project of projects) {
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
    projects,
    policy: {
      premiumShare: given.premiumShare ?? DEFAULT_QUOTA_POLICY.premiumShare,
      backgroundReserve: given.backgroundReserve ?? DEFAULT_QUOTA_POLICY.backgroundReserve,
      userCaps,
      grantTtlMs: given.grantTtlMs ?? DEFAULT_QUOTA_POLICY.grantTtlMs,
    },
  };
}
