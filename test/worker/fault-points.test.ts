import { describe, expect, it } from "vitest";
import { FaultPoints } from "../../durable-objects/test-rotator/fault-points";
import type { RotatorStore } from "../../durable-objects/test-rotator/store";

/** A store that remembers armed faults, as the rotator's SQLite store does. */
function fakeStore() {
  const armed = new Set<string>();
  const store = {
    armFault: (point: string) => void armed.add(point),
    takeFault: (point: string) => armed.delete(point),
    journal: () => {},
  };
  return { armed, store: store as unknown as RotatorStore };
}

describe("fault points", () => {
  it("crash where a test armed them when FAULT_INJECTION is on outside production", async () => {
    const { store } = fakeStore();
    const faults = new FaultPoints({ FAULT_INJECTION: "on", ENVIRONMENT: "development" }, store);
    faults.inject("after-commit");
    await expect(faults.checkpoint("after-commit")).rejects.toThrow("injected crash after-commit");
    await expect(faults.checkpoint("after-commit")).resolves.toBeUndefined();
  });

  it("are refused and inert in production even with FAULT_INJECTION on", async () => {
    const { armed, store } = fakeStore();
    const faults = new FaultPoints({ FAULT_INJECTION: "on", ENVIRONMENT: "production" }, store);
    expect(() => faults.inject("after-commit")).toThrow("fault injection is off");
    armed.add("after-commit");
    await expect(faults.checkpoint("after-commit")).resolves.toBeUndefined();
    expect(armed.has("after-commit")).toBe(true);
  });
});
