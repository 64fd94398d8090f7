/**
 * Seeds as a class lists them: "1-30", "17, 42, 1001", "1-5,9". Small and engine-free: the answer
 * key's form and the command line read the same list.
 */
import { MAX_SEED } from "./draw.ts";

export function parseSeeds(
  text: string,
  max = 500,
): { ok: true; seeds: number[] } | { ok: false; error: string } {
  const seeds: number[] = [];
  for (const part of text.split(/[,\s]+/).filter(Boolean)) {
    const m = /^(\d{1,10})(?:-(\d{1,10}))?$/.exec(part);
    if (!m) return { ok: false, error: `"${part}" is not a seed or a range of seeds (such as 1-30)` };
    const a = Number(m[1]);
    const b = m[2] === undefined ? a : Number(m[2]);
    if (a > MAX_SEED || b > MAX_SEED) return { ok: false, error: `seeds go up to ${MAX_SEED}` };
    if (b < a) return { ok: false, error: `"${part}" runs backwards` };
    if (seeds.length + (b - a + 1) > max) return { ok: false, error: `at most ${max} seeds at a time` };
    for (let s = a; s <= b; s++) seeds.push(s);
  }
  if (seeds.length === 0) return { ok: false, error: "expected at least one seed" };
  return { ok: true, seeds: [...new Set(seeds)] };
}
