/**
 * ViewState.changes: what the last table or PTE step did to its pages, read from the worlds before
 * and after it. Checked against the trace's own effects: summed over every step of an event, the
 * changes must equal the event's effects.
 */
import { describe, expect, it } from "vitest";
import { PRESETS } from "../scenario/presets/index.ts";
import type { Granularity, RunInfo, StepChange } from "./api.ts";
import { EngineHost } from "./engine-host.ts";

async function load(host: EngineHost, id: string): Promise<RunInfo> {
  const preset = PRESETS.find((p) => p.id === id)!;
  const r = await host.load({ scenario: preset.scenario, kernel: "s390-fa41ba0d" });
  if (!r.ok) throw new Error(JSON.stringify(r.issues));
  return r.run;
}

function key(c: { from: number; to: number; rule: number }): string {
  return `${c.from}>${c.to}@${c.rule}`;
}

describe("step changes", () => {
  it("is null at action granularity", async () => {
    const host = new EngineHost("main");
    const run = await load(host, "teaching-small");
    const v = await host.view({ runId: run.runId, granularity: "action", position: 2, selection: null });
    expect(v.changes).toBeNull();
  });

  it.each<Granularity>(["table", "pte"])("adds up to each event's effects at %s granularity", async (g) => {
    const host = new EngineHost("main");
    const run = await load(host, "teaching-small");
    const t = run.trace;
    // The first event with PTE effects: the guest's write faults.
    let e = 0;
    while (t.effCount[e] === 0) e++;
    const expected = new Map<string, number>();
    for (let i = 0; i < t.effCount[e]!; i++) {
      const o = (t.effStart[e]! + i) * 4;
      const c = { from: t.effects[o]!, to: t.effects[o + 1]!, rule: t.effects[o + 2]! };
      expected.set(key(c), (expected.get(key(c)) ?? 0) + t.effects[o + 3]!);
    }
    const first = await host.positionOfEvent(run.runId, g, e - 1);
    const last = await host.positionOfEvent(run.runId, g, e);
    const seen = new Map<string, number>();
    for (let p = first + 1; p <= last; p++) {
      const v = await host.view({ runId: run.runId, granularity: g, position: p, selection: null });
      expect(v.event).toBe(e);
      for (const c of v.changes as StepChange[]) seen.set(key(c), (seen.get(key(c)) ?? 0) + c.count);
    }
    expect(seen).toEqual(expected);
  });

  it("the step that ends an event shows the state after it", async () => {
    const host = new EngineHost("main");
    const run = await load(host, "teaching-small");
    const t = run.trace;
    let e = 0;
    while (t.effCount[e] === 0) e++;
    const end = await host.positionOfEvent(run.runId, "pte", e);
    const v = await host.view({ runId: run.runId, granularity: "pte", position: end, selection: null });
    expect(v.cursor).toEqual({ event: e + 1, done: 0 });
    const mms = t.mmNames.length;
    const n = run.counters.length;
    v.mms.forEach((m, i) => {
      run.counters.forEach((c, j) => {
        expect(m.counters[c.key]).toBe(t.counters[(e * mms + i) * n + j]);
      });
    });
  });
});
