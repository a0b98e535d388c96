import { existsSync } from "node:fs";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { dirname } from "node:path";
import { newKeyringSecret } from "../worker/auth/keyring";

/** Secrets the local stack needs, made once per checkout and kept (git-ignored) under .data/. */
export interface DevSecrets {
  SESSION_KEYS: string;
  TOKEN_ENCRYPTION_KEYS: string;
  ADMIN_API_TOKEN: string;
  MAIL_LINK_KEYS: string;
}

/**
 * Reads the local stack's secrets, making them on first use (and any a newer version added, so an
 * older checkout's file keeps its keys); never committed, never printed.
 */
export async function devSecrets(path = ".data/dev-secrets.json"): Promise<DevSecrets> {
  const kept: Partial<DevSecrets> = existsSync(path) ? JSON.parse(await readFile(path, "utf8")) : {};
  const secrets: DevSecrets = {
    SESSION_KEYS: kept.SESSION_KEYS ?? newKeyringSecret(),
    TOKEN_ENCRYPTION_KEYS: kept.TOKEN_ENCRYPTION_KEYS ?? newKeyringSecret(),
    ADMIN_API_TOKEN: kept.ADMIN_API_TOKEN ?? crypto.randomUUID(),
    MAIL_LINK_KEYS: kept.MAIL_LINK_KEYS ?? newKeyringSecret(),
  };
  if (Object.keys(kept).length === Object.keys(secrets).length) return secrets;
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, JSON.stringify(secrets, null, 2), { mode: 0o600 });
  return secrets;
}
