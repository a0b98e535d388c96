/** The whole database schema; drizzle-kit reads this file and the Worker's db client binds to it. */

export * from "./billing";
export * from "./notifications";
export * from "./operations";
export * from "./reach";
export * from "./tests";
export * from "./traffic-sources";
export * from "./users";
