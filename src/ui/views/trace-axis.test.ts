/** Timeline math: the axis, positions ↔ u, and the markers, on real traces. */
import { describe, expect, it } from "vitest";
import { allRules, type Granularity, Positions, type Trace } from "../../engine/index.ts";
import { runScenario } from "../../scenario/compile.ts";
import { PRESETS } from "../../scenario/presets/index.ts";
import type { RuleInfo } from "../../worker/api.ts";
import { adjacentMarker, markerPosition, traceMarkers } from "./markers.ts";
import { eventAtU, eventBoundaryStep, positionToU, stepCount, traceAxis, uToPosition } from "./trace-axis.ts";

function run(id: string, kernel?: string) {
  const p = PRESETS.find((x) => x.id === id)!;
  const r = runScenario(p.scenario, kernel ? { kernel: kernel as never } : {});
  if (!r.ok) throw new Error(JSON.stringify(r.issues));
  return r.run;
}

const RULES: RuleInfo[] = allRules().map((r) => ({
  id: r.id,
  title: r.title,
  path: r.path,
  explain: r.explain,
}));
const G: Granularity[] = ["action", "table", "pte"];

describe("trace axis", () => {
  const t: Trace = run("teaching-small").trace;
  const ax = traceAxis(t);

  it("counts the same steps as the engine's Positions", () => {
    const pos = new Positions(t);
    for (const g of G) expect(stepCount(ax, g)).toBe(pos.count(g));
  });

  it("gives each action a band of width ∝ 1 + √events, from 0 to 1", () => {
    expect(ax.actionStart_u[0]).toBe(0);
    expect(ax.actionStart_u[t.actions.length]).toBe(1);
    const w = (a: number) => ax.actionStart_u[a + 1]! - ax.actionStart_u[a]!;
    const n = (a: number) => t.actions[a]!.endEvent - t.actions[a]!.firstEvent;
    expect(w(1) / w(0)).toBeCloseTo((1 + Math.sqrt(n(1))) / (1 + Math.sqrt(n(0))), 9);
  });

  it("the commit story's migration gets 70 % of the width", () => {
    const big = traceAxis(run("commit-06201e00").trace);
    expect(big.actionStart_u[4]! - big.actionStart_u[3]!).toBeCloseTo(16.87 / 24.1, 2);
  });

  it("maps positions monotonically and round-trips them at every granularity", () => {
    for (const g of G) {
      const n = stepCount(ax, g);
      let prev = -1;
      for (const p of [...new Set([0, 1, 2, Math.floor(n / 3), Math.floor(n / 2), n - 1, n])].sort(
        (a, b) => a - b,
      )) {
        const u = positionToU(ax, g, p);
        expect(u).toBeGreaterThanOrEqual(prev);
        prev = u;
        expect(uToPosition(ax, g, u)).toBe(p);
      }
    }
  });

  it("puts position 0 at u 0 and the end at u 1", () => {
    for (const g of G) {
      expect(positionToU(ax, g, 0)).toBe(0);
      expect(positionToU(ax, g, stepCount(ax, g))).toBe(1);
    }
  });

  it("agrees with the engine on which event a fine position is in", () => {
    const pos = new Positions(t);
    for (const g of ["table", "pte"] as const) {
      const n = stepCount(ax, g);
      for (let k = 1; k < 40; k++) {
        const p = Math.round((k * n) / 40);
        const loc = pos.locate(g, p);
        const u = positionToU(ax, g, p);
        // A position strictly inside an event lies inside its slot; one that ends it, at its end.
        if (loc.step < loc.steps) expect(eventAtU(ax, u)).toBe(loc.event);
        else expect(u).toBeCloseTo(ax.eventEnd_u[loc.event]!, 12);
      }
    }
  });

  it("snaps to the nearest action boundary at action granularity", () => {
    const mid = (ax.actionStart_u[1]! + ax.actionStart_u[2]!) / 2;
    expect([1, 2]).toContain(uToPosition(ax, "action", mid));
    expect(uToPosition(ax, "action", ax.actionStart_u[2]! + 1e-6)).toBe(2);
  });

  it("moves by whole events with PageUp/PageDown", () => {
    const p = Math.floor(ax.cumPte[3]! + 5);
    expect(eventBoundaryStep(ax, "pte", p, 1)).toBe(ax.cumPte[4]);
    expect(eventBoundaryStep(ax, "pte", p, -1)).toBe(ax.cumPte[3]);
    expect(eventBoundaryStep(ax, "pte", ax.cumPte[3]!, -1)).toBe(ax.cumPte[2]);
    expect(eventBoundaryStep(ax, "action", 2, 1)).toBe(3);
  });
});

describe("markers", () => {
  it("mark the commit story's inflate and migration start", () => {
    const r = run("commit-06201e00");
    const ax = traceAxis(r.trace);
    const m = traceMarkers(r.trace, ax, RULES, r);
    expect(m.map((x) => x.kind)).toEqual(["inflate", "migration-start"]);
    expect(m[0]!.u).toBe(ax.actionStart_u[2]);
  });

  it("mark storage keys and the unshare pass under 06201e00", () => {
    const r = run("skeys-after-migration", "s390-06201e00");
    const m = traceMarkers(r.trace, traceAxis(r.trace), RULES, r);
    expect(m.map((x) => x.kind)).toEqual(["inflate", "migration-start", "skeys", "unshare"]);
    expect(m[3]!.label).toContain("10,485,760 zeropages unshared");
  });

  it("mark the 2018 postcopy hang", () => {
    const r = run("postcopy-hang-2017", "s390-2faee8ff");
    const m = traceMarkers(r.trace, traceAxis(r.trace), RULES, r);
    expect(m.at(-1)!.kind).toBe("hang");
    expect(m.map((x) => x.kind)).toContain("skeys");
  });

  it("land on the marker's first step and step from marker to marker", () => {
    const r = run("commit-06201e00");
    const t = r.trace;
    const ax = traceAxis(t);
    const m = traceMarkers(t, ax, RULES, r);
    const inflate = m[0]!;
    expect(markerPosition(t, ax, "action", inflate)).toBe(3);
    expect(markerPosition(t, ax, "pte", inflate)).toBe(ax.cumPte[inflate.event]! + 1);
    expect(adjacentMarker(t, ax, "pte", m, 0, 1)).toBe(inflate);
    const at = markerPosition(t, ax, "pte", inflate);
    expect(adjacentMarker(t, ax, "pte", m, at, 1)).toBe(m[1]);
    expect(adjacentMarker(t, ax, "pte", m, at, -1)).toBeNull();
  });
});
