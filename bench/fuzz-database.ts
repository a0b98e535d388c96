import { siblingDatabase } from "../test/setup/sibling-database";

/** The fuzzer's own Postgres (`<name>_fuzz`), so its checksums see only its own writes. */
export const { setup, teardown } = siblingDatabase("fuzz");
