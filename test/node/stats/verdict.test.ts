import { describe, expect, it } from "vitest";
import type { Slot } from "../../../worker/stats/analyze";
import { analyze } from "../../../worker/stats/analyze";
import { confidenceRadius, whatTheTestKnows } from "../../../worker/stats/verdict";

function blocks(n: number, counts: (b: number) => number[]): Slot[] {
  return Array.from({ length: n }, (_, b) =>
    counts(b).map((count, variant) => ({ variant, block: b, count, exposure: 1 })),
  ).flat();
}

describe("whatTheTestKnows", () => {
  it("rules out less and less as the test runs, and says so", () => {
    const wobble = (b: number): number[] => [200 + ((b * 37) % 23), 200 + ((b * 53) % 29)];
    const early = whatTheTestKnows(analyze(2, blocks(10, wobble)));
    const late = whatTheTestKnows(analyze(2, blocks(200, wobble)));
    expect(early.ruledOutBeyond).not.toBeNull();
    expect(late.ruledOutBeyond).toBeLessThan(early.ruledOutBeyond as number);
    expect(late.ruledOutBeyond).toBeLessThan(0.1);
    expect(late.message).toMatch(/^Differences larger than ±\d+ % are ruled out so far\.$/);
  });

  it("gives an inconclusive end the smallest effect it could have seen", () => {
    const slots = blocks(40, (b) => [100 + (b % 7), 100 + (b % 5)]);
    const analysis = analyze(2, slots, { final: true });
    expect(analysis.decision).toBe("inconclusive");
    const known = whatTheTestKnows(analysis);
    // About 200 views a block over 40 blocks: a log-ratio SE near 0.022, so the test would
    // have found roughly +10 % (boundary ≈ 3.3 SE plus 0.84 SE for 4 times in 5).
    expect(known.smallestDetectable).toBeGreaterThan(0.05);
    expect(known.smallestDetectable).toBeLessThan(0.15);
    const longer = whatTheTestKnows(
      analyze(
        2,
        blocks(160, (b) => [100 + (b % 7), 100 + (b % 5)]),
        { final: true },
      ),
    );
    expect(longer.smallestDetectable).toBeLessThan(known.smallestDetectable as number);
    expect(known.message).toMatch(/No title won.*would likely have found a title \+\d+ % better/);
  });

  it("rules nothing out before the noise can be measured", () => {
    const known = whatTheTestKnows(
      analyze(
        2,
        blocks(2, () => [50, 60]),
      ),
    );
    expect(known.ruledOutBeyond).toBeNull();
    expect(known.smallestDetectable).toBeNull();
  });

  it("covers the estimate: the radius grows with the variance and with stricter alpha", () => {
    expect(confidenceRadius(0.01, 0.3, 0.05)).toBeGreaterThan(confidenceRadius(0.001, 0.3, 0.05));
    expect(confidenceRadius(0.01, 0.3, 0.01)).toBeGreaterThan(confidenceRadius(0.01, 0.3, 0.05));
    // Always valid costs width: wider than the fixed-sample 95 % half-width.
    expect(confidenceRadius(0.01, 0.3, 0.05)).toBeGreaterThan(1.96 * 0.1);
  });
});
