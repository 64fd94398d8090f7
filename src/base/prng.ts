/**
 * The model's only source of randomness: a seeded xoroshiro128+ from pure-rand. The engine and
 * the scenario compiler never call Math.random, so a scenario and its seed fully determine a trace.
 */
import { uniformInt } from "pure-rand/distribution/uniformInt";
import { xoroshiro128plus } from "pure-rand/generator/xoroshiro128plus";

export class Prng {
  private readonly rng;

  constructor(seed: number) {
    this.rng = xoroshiro128plus(seed | 0);
  }

  /** Integer in [from, to], both included. */
  int(from: number, to: number): number {
    return uniformInt(this.rng, from, to);
  }

  /** True with probability p (resolution 2^-24). */
  chance(p: number): boolean {
    return this.int(0, 0xffffff) < p * 0x1000000;
  }
}
