/**
 * The three exercise presets ask questions every student can answer: for a few seeds each, every
 * question is reached (or is about how the run ends), has an answer and a rule to show, and a
 * choice among kernels has one right kernel, not all of them.
 */
import { describe, expect, it } from "vitest";
import { runScenario } from "../scenario/compile.ts";
import { PRESETS } from "../scenario/presets/index.ts";
import { deriveAnswers } from "./answers.ts";
import { drawScenario, hasCheckpoints, hasVary } from "./draw.ts";

const EXERCISES = PRESETS.filter((p) => hasCheckpoints(p.scenario));

describe("exercise presets", () => {
  it("are the three the issue names", () => {
    expect(EXERCISES.map((p) => p.id).sort()).toEqual([
      "commit-06201e00-exercise",
      "ksm-zero-pages-exercise",
      "postcopy-hang-2017-exercise",
    ]);
    for (const p of EXERCISES) expect(hasVary(p.scenario)).toBe(true);
  });

  describe.each(EXERCISES.map((p) => [p.id, p] as const))("%s", (_id, preset) => {
    it.each([1, 2, 3])("seed %i: every question has its answer and its rule", (seed) => {
      const d = drawScenario(preset.scenario, seed);
      if (!d.ok) throw new Error(JSON.stringify(d.issues));
      const r = runScenario(d.scenario);
      if (!r.ok) throw new Error(JSON.stringify(r.issues));
      const a = deriveAnswers(r.run, (kernel) => {
        const x = runScenario(d.scenario, { kernel, checkpoints: false });
        return x.ok ? { run: x.run } : { problem: "cannot run" };
      });
      expect(a.checkpoints.length).toBeGreaterThanOrEqual(4);
      for (const c of a.checkpoints) {
        expect(c.reached, c.question).toBe(true);
        expect(c.answer, c.question).not.toBeNull();
        expect(c.reveal.rule, c.question).not.toBeNull();
        expect(c.question).not.toMatch(/\{\w+\}/);
        if (c.answer?.kind === "kernel") {
          expect(c.answer.correct).toHaveLength(1);
          expect(c.options).toContain(c.answer.correct[0]);
        }
      }
    });
  });
});
