import { defineConfig } from "drizzle-kit";

/** `npm run db:generate` turns changes of schema/ into a new SQL migration under schema/migrations. */
export default defineConfig({
  dialect: "postgresql",
  schema: "./schema/index.ts",
  out: "./schema/migrations",
});
