import { describe, expect, it } from "vitest";
import { allowedIntervals } from "../../worker/title-tests/intervals";

describe("rotation intervals", () => {
  it("follow each plan's minimum when no local floor is set", () => {
    const env = { ENVIRONMENT: "development", MIN_INTERVAL_MINUTES: undefined };
    expect(allowedIntervals(env, "free")).toEqual([240, 480, 720, 1440]);
    expect(allowedIntervals(env, "pro")).toEqual([60, 120, 240, 480, 720, 1440]);
    expect(allowedIntervals(env, "authority")).toEqual([15, 30, 60, 120, 240, 480, 720, 1440]);
  });

  it("go down to the local floor (1 minute) for the demo stack and the tests", () => {
    const env = { ENVIRONMENT: "development", MIN_INTERVAL_MINUTES: "1" };
    expect(allowedIntervals(env, "free").slice(0, 4)).toEqual([1, 2, 5, 10]);
  });

  it("never go below the plans' minimums in production, whatever the setting says", () => {
    const env = { ENVIRONMENT: "production", MIN_INTERVAL_MINUTES: "1" };
    expect(allowedIntervals(env, "authority")[0]).toBe(15);
    expect(allowedIntervals(env, "free")[0]).toBe(240);
  });

  it("only ever offer intervals that divide a day (the slot grid needs it)", () => {
    for (const minutes of allowedIntervals({ ENVIRONMENT: "development", MIN_INTERVAL_MINUTES: "1" }, "free"))
      expect(1440 % minutes).toBe(0);
  });
});
