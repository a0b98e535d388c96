import { spawnSync } from "node:child_process";
import { resolve } from "node:path";

/**
 * `npm run deploy`: production, in the order that never runs new code on an old schema — the SPA
 * built, the migrations applied to Neon (DATABASE_URL, the same connection string as the Worker's
 * secret), then `wrangler deploy --env production` of the Worker, its Durable Objects and the SPA.
 * Write migrations that add before they remove (a column is dropped a release after its last
 * reader), so the Worker still running meanwhile keeps working. Extra arguments go to wrangler.
 */
if (!process.env.DATABASE_URL) {
  console.error("Set DATABASE_URL to the production (Neon) connection string: migrations run first.");
  process.exit(1);
}

function run(command: string, args: string[]): void {
  const result = spawnSync(process.execPath, [resolve(command), ...args], { stdio: "inherit" });
  if (result.status !== 0) process.exit(result.status ?? 1);
}

// `--mode deploy`: the SPA's _headers get production's policy (HSTS, no loopback images).
run("node_modules/vite/bin/vite.js", ["build", "--config", "frontend/vite.config.ts", "--mode", "deploy"]);
run("node_modules/tsx/dist/cli.mjs", ["scripts/migrate.ts"]);
run("node_modules/wrangler/bin/wrangler.js", ["deploy", "--env", "production", ...process.argv.slice(2)]);
