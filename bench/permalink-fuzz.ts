/**
 * `npm run fuzz`: the permalink fuzz test at scale. Feeds 100,000 generated and damaged links
 * (src/permalink/test-support/fuzz-links.ts) to decodeLink and checks each answer: no throw, and
 * either a state that validates and re-encodes to itself or a clear error with the default state.
 *
 *   npm run fuzz                     100,000 links, a random seed
 *   npm run fuzz -- 250000 12345     a count and a seed (to replay a failure)
 *
 * Prints the seed, the mix of answers and the rate; exits 1 on the first problem, with the link.
 */
import fc from "fast-check";
import { fuzzLinkArb, fuzzOne } from "../src/permalink/test-support/fuzz-links.ts";

const count = Number(process.argv[2] ?? 100_000);
const seed = Number(process.argv[3] ?? Date.now() % 2 ** 31);
if (!Number.isSafeInteger(count) || count <= 0 || !Number.isSafeInteger(seed)) {
  console.error("usage: npm run fuzz -- [count] [seed]");
  process.exit(2);
}

console.log(`permalink fuzz: ${count.toLocaleString("en-US")} links, seed ${seed}`);
const kinds = new Map<string, number>();
const t0 = performance.now();
let done = 0;
let slowest = { ms: 0, link: "" };
const BATCH = 5_000;
for (let start = 0; start < count; start += BATCH) {
  const n = Math.min(BATCH, count - start);
  const links = fc.sample(fuzzLinkArb(), { numRuns: n, seed: seed + start });
  for (const link of links) {
    const t = performance.now();
    const { result, problem } = fuzzOne(link);
    const ms = performance.now() - t;
    if (ms > slowest.ms) slowest = { ms, link };
    if (problem) {
      console.error(
        `\nproblem after ${done} links: ${problem}\nlink (${link.length} chars): ${link.slice(0, 2000)}`,
      );
      console.error(`replay: npm run fuzz -- ${count} ${seed}`);
      process.exit(1);
    }
    const kind = result?.ok ? "ok" : (result?.kind ?? "threw");
    kinds.set(kind, (kinds.get(kind) ?? 0) + 1);
    done++;
  }
  process.stdout.write(`\r  ${done.toLocaleString("en-US")} links checked`);
}
const secs = (performance.now() - t0) / 1000;
console.log(`\n  ${[...kinds].map(([k, n]) => `${k} ${n.toLocaleString("en-US")}`).join(", ")}`);
console.log(
  `  ${secs.toFixed(1)} s, ${Math.round(done / secs).toLocaleString("en-US")} links/s; slowest ${slowest.ms.toFixed(1)} ms`,
);
console.log("  no throws, every answer a valid state or a clear error");
