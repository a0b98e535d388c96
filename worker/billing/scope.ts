import type { Db } from "../db/client";
import type { Logger } from "../logging/logger";

/** What billing acts with: the bindings, the database (a writer's `Pool`) and a logger. */
export interface BillingScope {
  env: Env;
  db: Db;
  log: Logger;
}
