import type { Db } from "../db/client";
import type { Logger } from "../logging/logger";
import type { Principal } from "../users/principal";

/** What every use of the title-tests domain acts with: the bindings, the database, a logger, the user. */
export interface TitleTestScope {
  env: Env;
  db: Db;
  log: Logger;
  /** The signed-in creator: they only ever see and change their own tests. */
  user: Principal;
}
