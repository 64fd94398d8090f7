/**
 * The rule registry (rules.ts): every transition names its rule, every rule names kernel functions
 * and explains itself, and the random event sequences reach every rule (so a rule added without a
 * way to reach it, or left untested, shows up here).
 */
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { applyEvent } from "./kernel.ts";
import { allRules, formatPath, ruleAt, ruleById } from "./rules.ts";
import { setupArb } from "./test-support/arbitraries.ts";
import { VARIANT_IDS } from "./variants.ts";
import { World } from "./world.ts";
import "./index.ts";
// Tests may import from any room: the presets run through the scenario compiler.
import { runScenario } from "../scenario/compile.ts";
import { PRESETS } from "../scenario/presets/index.ts";

describe("rule registry", () => {
  test("ids are unique, indices follow declaration order, lookups agree", () => {
    const rules = allRules();
    expect(new Set(rules.map((r) => r.id)).size).toBe(rules.length);
    rules.forEach((r, i) => {
      expect(r.index).toBe(i);
      expect(ruleAt(i)).toBe(r);
      expect(ruleById(r.id)).toBe(r);
    });
    expect(() => ruleAt(rules.length)).toThrow(RangeError);
  });

  test("every rule but 'unchanged' has a kernel path, a title and an explanation; assumptions say so", () => {
    for (const r of allRules()) {
      expect(r.title.length, r.id).toBeGreaterThan(0);
      expect(r.explain.length, r.id).toBeGreaterThan(20);
      if (r.id !== "unchanged") expect(r.path.length, r.id).toBeGreaterThan(0);
      if (r.assumption !== undefined) expect(r.assumption.length, r.id).toBeGreaterThan(10);
    }
    expect(formatPath(ruleById("do_anonymous_page.forbidden")!.path)).toBe(
      "handle_mm_fault → __handle_mm_fault → handle_pte_fault → do_pte_missing → do_anonymous_page → pte_alloc → mm_forbids_zeropage = true → alloc_anon_folio → pte_mkwrite(pte_mkdirty(entry)) VM_WRITE → add_mm_counter MM_ANONPAGES +1",
    );
  });

  test("random event sequences and the presets reach every registered rule, QEMU's included (fixed seed)", () => {
    const seen = new Set<string>();
    // The presets, each under every kernel it names: QEMU's own rules (balloon_deflate_page) fire
    // only in the stories, not in engine events made up for them.
    const fromPresets = new Set<string>();
    for (const p of PRESETS) {
      for (const kernel of p.variants) {
        const r = runScenario(p.scenario, { kernel, checkpoints: false });
        if (!r.ok) continue;
        const t = r.run.trace;
        for (let i = 2; i < t.effects.length; i += 4) fromPresets.add(t.ruleIds[t.effects[i]!]!);
        for (const s of t.steps) fromPresets.add(t.ruleIds[s]!);
      }
    }
    for (const id of fromPresets) seen.add(id);
    const qemu = allRules().filter((r) => r.path.some((f) => f.file?.startsWith("qemu:")));
    expect(qemu.length).toBeGreaterThan(0);
    for (const r of qemu) expect(fromPresets, r.id).toContain(r.id);
    for (const variant of VARIANT_IDS) {
      fc.assert(
        fc.property(setupArb(variant), ({ cfg, events }) => {
          const w = new World([cfg]);
          for (const e of events) {
            const r = applyEvent(w, e);
            for (const ef of r.rec.effects) seen.add(ruleAt(ef.rule).id);
            for (const s of r.rec.steps) seen.add(ruleAt(s).id);
          }
        }),
        { numRuns: 1000, seed: 20240411 },
      );
    }
    // "unchanged" is the fallback of identity plans; walks only visit pages they change.
    const missing = allRules()
      .map((r) => r.id)
      .filter((id) => !seen.has(id) && id !== "unchanged");
    expect(missing).toEqual([]);
  }, 120_000);
});
