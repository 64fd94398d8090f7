/**
 * The maps' key and the balloon's default outline, on the commit's story: the key lists the
 * classes on screen with each map's share, and the ballooned range is outlined at the balloon and
 * migration steps only.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { presetById } from "../../../scenario/presets/index.ts";
import type { RunInfo, ViewState } from "../../../worker/api.ts";
import { EngineHost } from "../../../worker/engine-host.ts";
import { beforeAfterSvg } from "../../lecture/slide-svg.ts";
import { countClassesFromHistogram } from "./aggregate.ts";
import { keyRows } from "./ClassKey.tsx";
import { CLASS_ANON_ZERO, CLASS_MIXED, describeClass, slotNames } from "./classes.ts";
import { isBalloonStep } from "./map-view.ts";

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

describe("the classes' names come from the run", () => {
  it("a memfd-backed guest's pages are shmem/memfd pages in the key, the tooltips and the slide", async () => {
    const r = await host.load({ scenario: presetById("commit-06201e00-memfd")!.scenario });
    if (!r.ok) throw new Error(JSON.stringify(r.issues));
    const end = await host.view({
      runId: r.run.runId,
      granularity: "action",
      position: r.run.counts.action,
      selection: null,
    });
    const names = slotNames([r.run]);
    const rows = keyRows(
      end.mms.map((m) => ({
        key: m.name,
        label: m.name,
        counts: [countClassesFromHistogram(m.classHistogram)],
      })),
      names,
    );
    // Shared memory never maps the zeropage: after the migration the ballooned 40 GiB are memfd
    // pages full of zeros on both hosts.
    expect(rows.map((r) => [r.key, r.label])).toEqual([
      ["anon-zero", "shmem/memfd page, zero-filled"],
      ["anon-data", "shmem/memfd page, data"],
    ]);
    expect(rows[0]!.note).toMatch(/memfd/);
    expect(describeClass(CLASS_ANON_ZERO | CLASS_MIXED, names)).toMatch(
      /^shmem\/memfd page, zero-filled \(mixed/,
    );
    const slide = beforeAfterSvg({
      commit: "06201e00",
      title: r.run.title,
      columns: [{ kernel: r.run.kernel.id, role: "with 06201e00", geometry: r.run.geometry, view: end }],
      sentence: "",
      why: "",
      stepLabel: "step 3",
      link: "",
      counters: [],
      names,
    }).svg;
    expect(slide).toContain("shmem/memfd page, data");
    expect(slide).not.toContain("anon page");
    // The anonymous story keeps its names, and runs that differ show both.
    expect(names["anon-data"].label).not.toBe(slotNames([run])["anon-data"].label);
    expect(slotNames([run])["anon-data"].label).toBe("anon page, data");
    expect(slotNames([run, r.run])["anon-data"].label).toBe("anon page, data / shmem/memfd page, data");
  });
});
