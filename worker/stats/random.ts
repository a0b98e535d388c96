/**
 * A small seedable pseudo-random generator shared by the schedule and the Monte Carlo.
 *
 * The engine must be reproducible (the same test data gives the same analysis on every
 * poll and in every replay), so nothing here touches `Math.random`. The generator is
 * xoshiro128** (Blackman & Vigna) seeded through splitmix32: 128 bits of state, fast on
 * 32-bit integer arithmetic, and good enough statistically for simulation work.
 */

/** A source of uniform numbers; create one with {@link createRandom}. */
export interface Random {
  /** The next uniform float in [0, 1), with 32 bits of resolution. */
  next(): number;
}

const TWO_POW_32 = 4294967296;

/** Returns a splitmix32 stream; used only to spread a seed over xoshiro's state. */
function splitmix32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x9e3779b9) >>> 0;
    let z = state;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return (z ^ (z >>> 16)) >>> 0;
  };
}

/**
 * Creates a generator from an integer seed (any safe integer; seeds that differ in any bit
 * give unrelated streams).
 */
export function createRandom(seed: number): Random {
  if (!Number.isSafeInteger(seed)) {
    throw new RangeError(`seed must be a safe integer, got ${seed}`);
  }
  // Fold the high bits in too, so seeds such as hashes above 2^32 stay distinct.
  const high = Math.floor(seed / TWO_POW_32) >>> 0;
  const mix = splitmix32((seed >>> 0) ^ Math.imul(high, 0x27d4eb2d));
  let s0 = mix();
  let s1 = mix();
  let s2 = mix();
  let s3 = mix();
  if ((s0 | s1 | s2 | s3) === 0) s0 = 1; // the all-zero state is a fixed point

  return {
    next(): number {
      const product = Math.imul(s1, 5);
      const result = Math.imul((product << 7) | (product >>> 25), 9) >>> 0;
      const t = s1 << 9;
      s2 ^= s0;
      s3 ^= s1;
      s1 ^= s2;
      s0 ^= s3;
      s2 ^= t;
      s3 = (s3 << 11) | (s3 >>> 21);
      return result / TWO_POW_32;
    },
  };
}

/**
 * A uniform integer in [0, n). The modulo bias of scaling a 32-bit draw is below 1e-8 for
 * the small n used here (variant counts), far under any effect a test could see.
 */
export function uniformInt(random: Random, n: number): number {
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`n must be a positive integer, got ${n}`);
  return Math.floor(random.next() * n);
}

/**
 * Fills `out` with independent standard normal draws (Marsaglia's polar method, both values
 * of each pair used: no trigonometry, which matters in the Monte Carlo's inner loop).
 * Filling a caller-owned buffer keeps Monte Carlo loops free of allocation.
 */
export function fillStandardNormal(random: Random, out: Float64Array): void {
  for (let i = 0; i < out.length; i += 2) {
    let u: number;
    let v: number;
    let s: number;
    do {
      u = 2 * random.next() - 1;
      v = 2 * random.next() - 1;
      s = u * u + v * v;
    } while (s >= 1 || s === 0);
    const scale = Math.sqrt((-2 * Math.log(s)) / s);
    out[i] = u * scale;
    if (i + 1 < out.length) out[i + 1] = v * scale;
  }
}
