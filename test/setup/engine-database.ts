import { siblingDatabase } from "./sibling-database";

/** The engine tests' own Postgres (`<name>_engine`): they run beside the `worker` project's. */
export const { setup, teardown } = siblingDatabase("engine");
