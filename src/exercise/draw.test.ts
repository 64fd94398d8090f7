/**
 * A student's problem (draw.ts): the same seed gives the same problem, other seeds give others,
 * every draw stays inside the author's ranges and validates, one parameter's range does not move
 * what the others draw, and left-out storage keys take their questions with them.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { GiB } from "../base/units.ts";
import { commit06201e00Exercise } from "../scenario/presets/commit-06201e00-exercise.ts";
import { postcopyHang2017Exercise } from "../scenario/presets/postcopy-hang-2017-exercise.ts";
import { parseScenario } from "../scenario/schema.ts";
import { drawScenario, hasCheckpoints, hasVary, MAX_SEED, rangeValues } from "./draw.ts";

const story = commit06201e00Exercise.scenario;

function drawn(input: unknown, seed: number) {
  const r = drawScenario(input, seed);
  if (!r.ok) throw new Error(JSON.stringify(r.issues));
  const parsed = parseScenario(r.scenario);
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.issues));
  return { ...r, parsed: parsed.scenario };
}

describe("a student's problem", () => {
  it("is the same for the same seed, as JSON, every time", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: MAX_SEED }), (seed) => {
        expect(JSON.stringify(drawScenario(story, seed))).toBe(JSON.stringify(drawScenario(story, seed)));
      }),
      { numRuns: 200 },
    );
  });

  it("differs between seeds: a class of 30 gets every guest size and balloon share the ranges allow", () => {
    const seen = new Set<string>();
    const rams = new Set<number>();
    for (let seed = 1; seed <= 30; seed++) {
      const d = drawn(story, seed);
      seen.add(JSON.stringify(d.values));
      rams.add(d.parsed.machine.guestRam);
    }
    // 5 guest sizes × 3 balloon shares = 15 problems; 30 students see most of them.
    expect(seen.size).toBeGreaterThanOrEqual(10);
    expect([...rams].sort((a, b) => a - b)).toEqual([64, 80, 96, 112, 128].map((g) => g * GiB));
  });

  it("stays inside the ranges: guest RAM on its steps, the balloon a share of that RAM", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: MAX_SEED }), (seed) => {
        const { parsed, values } = drawn(story, seed);
        const ram = parsed.machine.guestRam;
        expect([64, 80, 96, 112, 128].map((g) => g * GiB)).toContain(ram);
        const balloon = parsed.actions[1]!;
        expect(balloon.do).toBe("balloon-inflate");
        const shares = [30, 40, 50].map((p) => Math.floor(((ram / 2 ** 20) * p) / 100) * 2 ** 20);
        expect(shares).toContain((balloon as { size: number }).size);
        // The guest still writes all of its (drawn) RAM: the touch scaled with it.
        expect(parsed.actions[0]).toMatchObject({ do: "guest-touch", size: ram });
        expect(values.map((v) => v.id)).toEqual(["guestRam", "balloon"]);
        // The ranges are resolved: the drawn scenario runs as it is, questions kept.
        expect(parsed.exercise?.vary).toBeUndefined();
        expect(parsed.exercise?.checkpoints).toHaveLength(5);
      }),
      { numRuns: 100 },
    );
  });

  it("draws each parameter from its own stream: adding a range leaves the others' draws alone", () => {
    const withKernel = JSON.parse(JSON.stringify(story));
    withKernel.exercise.vary.kernel = ["s390-fa41ba0d", "s390-06201e00"];
    for (let seed = 0; seed < 40; seed++) {
      const a = drawn(story, seed).values;
      const b = drawn(withKernel, seed).values.filter((v) => v.id !== "kernel");
      expect(b).toEqual(a);
    }
  });

  it("leaves out storage keys with the questions about them, and moves the later questions", () => {
    const s = JSON.parse(JSON.stringify(postcopyHang2017Exercise.scenario));
    s.exercise.vary = { skeys: [false] };
    const { parsed } = drawn(s, 7);
    expect(parsed.actions.map((a) => a.do)).not.toContain("guest-skeys");
    // Questions at actions 3, 4 (the keys), 5, 5 → 3, (dropped), 4, 4.
    expect(parsed.exercise?.checkpoints.map((c) => c.at)).toEqual([3, 4, 4]);
    s.exercise.vary = { skeys: [true] };
    expect(drawn(s, 7).parsed.exercise?.checkpoints.map((c) => c.at)).toEqual([3, 4, 5, 5]);
  });

  it("gives a scenario without ranges back as it is, and refuses a seed that is not one", () => {
    const plain = { ...story, exercise: { checkpoints: story.exercise!.checkpoints } };
    expect(drawScenario(plain, 5)).toEqual({ ok: true, scenario: plain, values: [] });
    expect(hasVary(plain)).toBe(false);
    expect(hasVary(story)).toBe(true);
    expect(hasCheckpoints(story)).toBe(true);
    expect(hasCheckpoints({ exercise: { checkpoints: [] } })).toBe(false);
    for (const bad of [-1, 1.5, MAX_SEED + 1, Number.NaN])
      expect(drawScenario(story, bad)).toMatchObject({ ok: false, issues: [{ path: "seed" }] });
  });

  it("spells ranges' values: sizes on their steps (default 1 GiB), shares in 10% steps by default", () => {
    expect(rangeValues({ from: 2 * GiB, to: 5 * GiB }, 0)).toEqual([2, 3, 4, 5].map((g) => g * GiB));
    expect(rangeValues({ from: "0%", to: "30%" }, 10 * GiB)).toEqual(
      [0, 1024, 2048, 3072].map((m) => m * 2 ** 20),
    );
    expect(rangeValues({ from: "10%", to: "10%" }, 10 * GiB)).toEqual([1024 * 2 ** 20]);
  });
});
