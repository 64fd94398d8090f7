/**
 * The maps' key and the balloon's default outline, on the commit's story: the key lists the
 * classes on screen with each map's share, and the ballooned range is outlined at the balloon and
 * migration steps only.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { presetById } from "../../../scenario/presets/index.ts";
import type { RunInfo, ViewState } from "../../../worker/api.ts";
import { EngineHost } from "../../../worker/engine-host.ts";
import { countClassesFromHistogram } from "./aggregate.ts";
import { keyRows } from "./ClassKey.tsx";
import { isBalloonStep } from "./link.ts";

const host = new EngineHost("main");
let run: RunInfo;
const views: ViewState[] = [];

beforeAll(async () => {
  const r = await host.load({ scenario: presetById("commit-06201e00")!.scenario, kernel: "s390-06201e00" });
  if (!r.ok) throw new Error(JSON.stringify(r.issues));
  run = r.run;
  for (let p = 0; p <= run.counts.action; p++)
    views.push(await host.view({ runId: run.runId, granularity: "action", position: p, selection: null }));
}, 60_000);

describe("the balloon's default outline", () => {
  it("is on at the balloon and migration steps, off before the balloon inflates", () => {
    const markers = run.trace.actions.map((a) => a.marker);
    expect(markers).toEqual(["start", "", "inflate", "migration-start"]);
    expect(views.map((v) => isBalloonStep(run, v))).toEqual([false, false, false, true, true]);
  });

  it("is off when nothing is in the balloon, whatever the step", () => {
    const v = views[3]!;
    const empty = {
      ...v,
      mms: v.mms.map((m) => ({ ...m, balloonParts: [m.balloonParts[0], 0, 0] as const })),
    };
    expect(isBalloonStep(run, empty)).toBe(false);
  });
});

describe("the maps' key", () => {
  const columns = (v: ViewState) =>
    v.mms.map((m) => ({ key: m.name, label: m.name, counts: [countClassesFromHistogram(m.classHistogram)] }));

  it("at the start: only 'no page table', all of guest RAM on each host", () => {
    const rows = keyRows(columns(views[0]!));
    expect(rows.map((r) => r.key)).toEqual(["absent"]);
    const all = run.guestRamBytes / run.geometry.tableSpanBytes;
    expect(rows[0]!.tables).toEqual([[all], [all]]);
  });

  it("after the migration under 06201e00: the zeropage and the data, 40 and 60 GiB per host", () => {
    const rows = keyRows(columns(views[4]!));
    const tables = (gib: number) => (gib * 2 ** 30) / run.geometry.tableSpanBytes;
    const byKey = new Map(rows.map((r) => [r.key, r.tables]));
    expect([...byKey.keys()]).toEqual(["zero", "anon-data"]);
    // A table counts under its most common class: a few tables hold both (the balloon's edges).
    for (const host of [0, 1]) {
      const zero = byKey.get("zero")![host]![0]!;
      const data = byKey.get("anon-data")![host]![0]!;
      expect(zero + data).toBe(tables(100));
      expect(Math.abs(zero - tables(40))).toBeLessThanOrEqual(8);
    }
  });
});
