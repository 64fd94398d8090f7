/**
 * Divergence detection (divergence.ts): where two runs' states start to differ, the list of places
 * where they do different things, the policy notes, and the explanations; against the engine's own
 * Simulation and, for the commit's story, against the scenario runner.
 */
import { describe, expect, test } from "vitest";
import { GiB } from "../base/units.ts";
import { GRANULARITIES, type Granularity, type Simulation, type VariantId } from "../engine/index.ts";
import { runScenario } from "../scenario/compile.ts";
import { presetById } from "../scenario/presets/index.ts";
import { type Alignment, SIDES } from "./align.ts";
import { compareRuns, summarize } from "./compare.ts";
import { deltaRow } from "./delta.ts";
import { describeAt } from "./divergence.ts";
import { worldsDiffer } from "./state-diff.ts";
import { compareScripts, createVm, read, type Script, side, simulate, write } from "./testing.ts";

const story: Script = [
  ["QEMU starts", [createVm]],
  ["the guest writes data", [write(0, 300)]],
  ["the migration reads guest RAM", [read(0, 600)]],
];

describe("identical runs", () => {
  test.each<VariantId>(["s390-fa41ba0d", "s390-06201e00", "x86_64"])(
    "%s against itself: no divergence",
    (v) => {
      const c = compareScripts([v, story], [v, story]);
      expect(c.divergences).toEqual([]);
      expect(c.first).toBe(-1);
      expect(c.policy).toEqual([]);
      for (const r of c.delta.rows) expect(r.finalDiff).toBe(0);
    },
  );
});

describe("runs that differ in one known event", () => {
  test("a write only the right runs is exactly one divergence, at that step", () => {
    const right: Script = [
      ["QEMU starts", [createVm]],
      ["the guest writes data", [write(0, 300), write(900, 1)]],
      ["the migration reads guest RAM", [read(0, 600)]],
    ];
    const c = compareScripts(["s390-06201e00", story], ["s390-06201e00", right]);
    expect(c.divergences).toHaveLength(1);
    const d = c.divergences[0]!;
    expect(c.first).toBe(0);
    expect(d.kind).toBe("only-right");
    expect(d.events).toEqual([-1, 2]);
    // KVM_CREATE_VM is 1 step, the 300-page write 2 tables (300 pages), the extra write 1 of each.
    // (Page 900 is in a table the later read does not touch, so the read does not diverge.)
    expect(d.exact).toBe(true);
    expect(d.positions).toEqual({ action: 2, table: 4, pte: 302 });
    expect(d.text).toContain("only the right runs the source's write fault");
  });

  test("the same events under fa41ba0d and 06201e00 first differ at the first read of an empty page", () => {
    const c = compareScripts(["s390-fa41ba0d", story], ["s390-06201e00", story]);
    const d = c.divergences[c.first]!;
    expect(c.first).toBe(0);
    expect(d.kind).toBe("pages");
    expect(d.events).toEqual([2, 2]);
    expect(d.exact).toBe(true);
    // Before the read: 1 + 2 table steps, 1 + 300 PTE steps. Pages 0..299 are already mapped, so the
    // first difference is page 300: the read's second table (pages 256..511) and its 301st page.
    expect(d.positions).toEqual({ action: 3, table: 5, pte: 602 });
    expect(d.decision).toBe("mm_forbids_zeropage");
    expect(d.text).toBe(
      "the source's read fault (the migration reads guest RAM) allocates a zeroed anonymous page (zeropage forbidden) on the left but maps the shared zeropage on the right (mm_forbids_zeropage): 300 pages (1.17 MiB)",
    );
    expect(d.detail).toContain("mm_forbids_zeropage() is true on the left");
    expect(describeAt(d, "table")).toMatch(/^step 5: the source's read fault/);
  });

  test("KVM_CREATE_VM gives a policy note, not a divergence: same flags, different decisions", () => {
    const c = compareScripts(["s390-fa41ba0d", story], ["s390-06201e00", story]);
    expect(c.policy).toHaveLength(1);
    const n = c.policy[0]!;
    expect(n.pair).toBe(0);
    expect(n.text).toContain("context flags agree (has_pgste)");
    expect(n.text).toContain("mm_forbids_zeropage() is now true on the left and false on the right");
    expect(c.divergences.every((d) => d.pair > 0)).toBe(true);
  });

  test("fa41ba0d's zap at KVM_CREATE_VM diverges from 06201e00, which leaves the zeropages", () => {
    const script: Script = [["boot", [read(0, 512), createVm]]];
    const c = compareScripts(["s390-fa41ba0d", script], ["s390-06201e00", script]);
    const d = c.divergences[c.first]!;
    expect(d.events).toEqual([1, 1]);
    expect(d.text).toContain("on the left but not on the right");
    expect(d.positions.table).toBe(3);
  });
});

/** Each side's world at aligned position `p`, rebuilt from scratch. */
function worldsAt(al: Alignment, sims: readonly Simulation[], g: Granularity, p: number) {
  const c = al.cursors(g, p);
  return SIDES.map((s) => sims[s]!.worldAt(c[s]));
}

describe("the first divergence is the first aligned step whose states differ", () => {
  const cases: [VariantId, VariantId, Script, Script][] = [
    ["s390-fa41ba0d", "s390-06201e00", story, story],
    [
      "s390-06201e00",
      "s390-06201e00",
      story,
      [
        ["QEMU starts", [createVm]],
        ["w", [write(0, 299)]],
        ["r", [read(0, 600)]],
      ],
    ],
    [
      "s390-2faee8ff",
      "s390-06201e00",
      [["a", [createVm, read(0, 700), { kind: "enable_skeys", mm: 0, via: "instruction" }]]],
      [["a", [createVm, read(0, 700), { kind: "enable_skeys", mm: 0, via: "instruction" }]]],
    ],
  ];
  test.each(cases)("%s against %s (brute force over every step)", (va, vb, sa, sb) => {
    const sims = [simulate(va, sa), simulate(vb, sb)];
    const c = compareRuns(side(va, sims[0]!), side(vb, sims[1]!));
    const d = c.divergences[c.first]!;
    for (const g of ["table", "pte"] as const) {
      let firstDiff = -1;
      for (let p = 0; p <= c.alignment.count(g) && firstDiff < 0; p++) {
        const [a, b] = worldsAt(c.alignment, sims, g, p);
        if (worldsDiffer(a!, b!)) firstDiff = p;
      }
      expect(d.positions[g]).toBe(firstDiff);
    }
  });
});

describe("the commit's story: fa41ba0d against 06201e00", () => {
  const preset = presetById("commit-06201e00")!;
  const results = (["s390-fa41ba0d", "s390-06201e00"] as const).map((k) => {
    const r = runScenario(preset.scenario, { kernel: k });
    if (!r.ok) throw new Error("the preset does not run");
    return { trace: r.run.trace, kernel: k, label: k, replay: r.run.simulation };
  });
  const sims = results.map((r) => r.replay);
  const c = compareRuns(results[0]!, results[1]!);

  test("aligns one to one: same actions, same events, same footprints", () => {
    const s = summarize(c);
    expect(s.counts.action).toBe(4);
    expect(s.pairCount).toBe(258);
    expect(s.oneSidedPairs).toBe(0);
    expect(s.mergedPairs).toEqual({ table: 0, pte: 0 });
  });

  test("the first divergence is the migration's first read fault on the source, at a ballooned page", () => {
    const d = c.divergences[c.first]!;
    expect(c.first).toBe(0);
    const t = results[0]!.trace;
    const e = d.events[0];
    expect(d.events).toEqual([e, e]);
    expect(t.actions[d.action]!.marker).toBe("migration-start");
    expect(t.mmNames[t.mm[e]!]).toBe("source");
    expect(t.strings[t.label[e]!]).toBe("read fault");
    expect(t.strings[t.cause[e]!]).toContain("buffer_is_zero");
    // No earlier read fault in the trace.
    for (let x = 0; x < e; x++) expect(t.strings[t.label[x]!]).not.toBe("read fault");
    expect(d.exact).toBe(true);
    expect(d.decision).toBe("mm_forbids_zeropage");
    expect(d.text).toContain(
      "the source's read fault (precopy migration) allocates a zeroed anonymous page (zeropage forbidden) on the left but maps the shared zeropage on the right (mm_forbids_zeropage)",
    );
    // The exact step is a ballooned page: before it, the two worlds are equal; at it, they differ.
    for (const g of ["table", "pte"] as const) {
      const [a0, b0] = worldsAt(c.alignment, sims, g, d.positions[g] - 1);
      const [a1, b1] = worldsAt(c.alignment, sims, g, d.positions[g]);
      expect(worldsDiffer(a0!, b0!)).toBe(false);
      expect(worldsDiffer(a1!, b1!)).toBe(true);
    }
  });

  test("KVM_CREATE_VM is a policy note on each host, before the first divergence", () => {
    expect(c.policy.map((n) => n.pair)).toEqual([0, 6]);
    expect(c.policy.every((n) => n.positions.table < c.divergences[0]!.positions.table)).toBe(true);
  });

  test("every later divergence is a migration read fault, on either host, for the same reason", () => {
    const t = results[0]!.trace;
    expect(c.divergences.length).toBeGreaterThan(50);
    for (const d of c.divergences) {
      expect(t.strings[t.label[d.events[0]]!]).toBe("read fault");
      expect(d.decision).toBe("mm_forbids_zeropage");
    }
    expect(new Set(c.divergences.map((d) => d.mm))).toEqual(new Set(["source", "destination"]));
  });

  test("the delta: about 40 GiB of RssAnon less on both hosts under 06201e00", () => {
    for (const mm of ["source", "destination"]) {
      const r = deltaRow(c.delta, mm, "rssAnonBytes")!;
      expect(r.final).toEqual([100 * GiB, 60 * GiB]);
      expect(r.finalDiffBytes).toBe(-40 * GiB);
      expect(r.finalPct).toBeCloseTo(-40, 5);
    }
  });

  test("positions are consistent across granularities", () => {
    for (const d of c.divergences.slice(0, 5)) {
      for (const g of GRANULARITIES) expect(d.positions[g]).toBeGreaterThan(0);
      expect(c.alignment.convert("table", d.positions.table, "action")).toBe(d.positions.action - 1);
    }
  });
});
