import { fileURLToPath } from "node:url";
import { defineConfig } from "vite";
import solid from "vite-plugin-solid";
import { sizeBudget } from "./size-budget.ts";

/** The SPA, built into frontend/dist, which wrangler.toml serves as static assets. */
export default defineConfig({
  root: fileURLToPath(new URL(".", import.meta.url)),
  plugins: [solid(), sizeBudget(60)],
  build: { outDir: "dist", emptyOutDir: true, target: "es2022" },
});
