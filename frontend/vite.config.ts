import { fileURLToPath } from "node:url";
import { defineConfig } from "vite";
import solid from "vite-plugin-solid";
import { headersFile } from "./headers-file.ts";
import { sizeBudget } from "./size-budget.ts";

/**
 * The SPA, built into frontend/dist, which wrangler.toml serves as static assets. `npm run deploy`
 * builds with `--mode deploy`: its `_headers` are production's (HSTS, no loopback images); every
 * other build (`npm start`, the tests) gets the local ones.
 */
export default defineConfig(({ mode }) => ({
  root: fileURLToPath(new URL(".", import.meta.url)),
  plugins: [solid(), sizeBudget(60), headersFile(mode === "deploy" ? "production" : "development")],
  build: { outDir: "dist", emptyOutDir: true, target: "es2022" },
}));
