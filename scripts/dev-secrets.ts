import { existsSync } from "node:fs";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { dirname } from "node:path";
import { newKeyringSecret } from "../worker/auth/keyring";

/** Secrets the local stack needs, made once per checkout and kept (git-ignored) under .data/. */
export interface DevSecrets {
  SESSION_KEYS: string;
  TOKEN_ENCRYPTION_KEYS: string;
  ADMIN_API_TOKEN: string;
}

/** Reads the local stack's secrets, making them on first use; never committed, never printed. */
export async function devSecrets(path = ".data/dev-secrets.json"): Promise<DevSecrets> {
  if (existsSync(path)) return JSON.parse(await readFile(path, "utf8")) as DevSecrets;
  const secrets: DevSecrets = {
    SESSION_KEYS: newKeyringSecret(),
    TOKEN_ENCRYPTION_KEYS: newKeyringSecret(),
    ADMIN_API_TOKEN: crypto.randomUUID(),
  };
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, JSON.stringify(secrets, null, 2), { mode: 0o600 });
  return secrets;
}
