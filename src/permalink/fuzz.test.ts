/**
 * The CI fuzz run: 10,000+ generated and damaged links through decodeLink. None may throw; each
 * must come back either as a state that validates and re-encodes to itself, or as a plain-text
 * error with the default state. `npm run fuzz` runs the same check on 100,000+ (bench/permalink-fuzz.ts).
 */
import fc from "fast-check";
import { expect, it } from "vitest";
import { fuzzLinkArb, fuzzOne } from "./test-support/fuzz-links.ts";

it("decodes 10,000 broken links without a throw, each to a valid state or a clear error", () => {
  const kinds = new Map<string, number>();
  let runs = 0;
  fc.assert(
    fc.property(fuzzLinkArb(), (link) => {
      runs++;
      const { result, problem } = fuzzOne(link);
      expect(problem, link.slice(0, 300)).toBeNull();
      const kind = result?.ok ? "ok" : (result?.kind ?? "threw");
      kinds.set(kind, (kinds.get(kind) ?? 0) + 1);
    }),
    { numRuns: 10_000, seed: 20261106 },
  );
  expect(runs).toBeGreaterThanOrEqual(10_000);
  // The mix reaches every outcome: valid links, broken ones, bad scenarios, newer versions.
  for (const k of ["ok", "malformed", "scenario", "newer"]) expect(kinds.get(k) ?? 0).toBeGreaterThan(50);
}, 60_000);
