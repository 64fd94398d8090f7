/**
 * The current view's SVG, from real runs (in-process engine): its paths cover exactly the tables
 * of each class the store's bytes hold, runs of equal cells are merged (a 100 GiB map stays small),
 * zoom and aggregation, and user text escaped.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { presetById } from "../../scenario/presets/index.ts";
import type { RunInfo, ViewState } from "../../worker/api.ts";
import { EngineHost } from "../../worker/engine-host.ts";
import { SLOT_COUNT, SLOT_KEYS, slotOf } from "../views/memory-map/classes.ts";
import { cellSlots, gridFor, LIGHT_THEME, MAX_CELLS, runPaths, viewSvg } from "./view-svg.ts";

const HOSTILE = `<img src=x onerror="alert(1)"> & ]]>`;
let big: { run: RunInfo; view: ViewState };
let small: { run: RunInfo; view: ViewState };

async function load(id: string, kernel: string, title?: string) {
  const host = new EngineHost("main");
  const base = presetById(id)!.scenario as object;
  const r = await host.load({ scenario: title ? { ...base, title } : base, kernel: kernel as never });
  if (!r.ok) throw new Error("no run");
  const view = await host.view({
    runId: r.run.runId,
    granularity: "action",
    position: r.run.counts.action,
    selection: null,
  });
  return { run: r.run, view };
}

beforeAll(async () => {
  big = await load("commit-06201e00", "s390-06201e00");
  small = await load("teaching-small", "s390-fa41ba0d", HOSTILE);
}, 60_000);

/** Cells per slot drawn by a path `d` ("M x y h w v c h -w z" runs), in cells of size `cell`. */
function cellsIn(d: string, cell: number): number {
  let n = 0;
  for (const m of d.matchAll(/M[\d.]+ [\d.]+h([\d.]+)v/g)) n += Number(m[1]) / cell;
  return n;
}

function slotCounts(tableClass: Uint8Array, start: number, length: number): number[] {
  const n = new Array<number>(SLOT_COUNT).fill(0);
  for (let t = start; t < start + length; t++) n[slotOf(tableClass[t]!)]!++;
  return n;
}

describe("the current view as SVG", () => {
  it("draws every table of a 100 GiB map once, in its class's colour, in a small file", () => {
    const tables = big.view.mms[0]!.tables;
    expect(tables).toBe(102_400);
    const out = viewSvg({
      run: big.run,
      view: big.view,
      viewport: { tableSpaceStart: 0, tableSpaceLength: tables },
      stepLabel: "step 4 of 4 by action",
      link: "http://app.test/#v=1",
    });
    expect(out.tablesPerCell).toBe(1);
    expect(out.svg.length).toBeLessThan(200_000);
    expect(out.svg).toMatch(
      /^<\?xml version="1\.0" encoding="UTF-8"\?>\n<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg" width="\d+" height="\d+"/,
    );
    expect(out.svg.trimEnd().endsWith("</svg>")).toBe(true);
    // Per mm, the cells of each colour are the tables of that class in the store's bytes.
    const groups = out.svg.split('<g data-mm="').slice(1);
    expect(groups).toHaveLength(big.view.mms.length);
    const cell = Number(/<rect x="\d+" y="[\d.]+" width="(\d+)"/.exec(groups[0]!)![1]) / 512;
    big.view.mms.forEach((m, i) => {
      const want = slotCounts(m.tableClass, 0, tables);
      SLOT_KEYS.forEach((key, s) => {
        if (s === 0) return; // absent: the map's background
        const d =
          new RegExp(`<path fill="${LIGHT_THEME.slots[key]}" d="([^"]+)"`).exec(groups[i]!)?.[1] ?? "";
        expect(cellsIn(d, cell), `${m.name} ${key}`).toBe(want[s]);
      });
    });
    // The step, variant and counters are on it.
    expect(out.svg).toContain("s390-06201e00");
    expect(out.svg).toContain("step 4 of 4 by action");
    expect(out.svg).toContain("RssAnon");
    expect(out.svg).toContain("60 GiB");
  });

  it("merges runs of equal cells within a row, and never across rows", () => {
    const slots = Uint8Array.from([1, 1, 1, 2, 2, 2, 2, 2]);
    const { d, runs } = runPaths(slots, 4, 2, 10, 20);
    expect(runs).toBe(3);
    expect(d[1]).toBe("M10 20h6v2h-6z");
    expect(d[2]).toBe("M16 20h2v2h-2zM10 22h8v2h-8z");
  });

  it("zooms to the viewport, and aggregates beyond MAX_CELLS tables to the most common class", () => {
    const m = big.view.mms[0]!;
    const zoomed = viewSvg({
      run: big.run,
      view: big.view,
      viewport: { tableSpaceStart: 40_960, tableSpaceLength: 1024 },
      stepLabel: "zoomed",
      link: "",
    });
    expect(zoomed.svg).toContain("zoomed: 40 GiB – 41 GiB");
    expect(gridFor(MAX_CELLS).tablesPerCell).toBe(1);
    expect(gridFor(MAX_CELLS + 1).tablesPerCell).toBe(2);
    expect(gridFor(1_048_576).tablesPerCell).toBe(8);
    const four = cellSlots(Uint8Array.from([0xff, 3, 3, 1, 1, 1, 1, 0xff]), 0, 8, 4);
    expect([...four]).toEqual([slotOf(3), slotOf(1)]);
    expect(cellSlots(m.tableClass, 0, 8, 1)).toEqual(Uint8Array.from(m.tableClass.slice(0, 8), slotOf));
  });

  it("escapes user text", () => {
    const out = viewSvg({
      run: small.run,
      view: small.view,
      viewport: { tableSpaceStart: 0, tableSpaceLength: small.view.mms[0]!.tables },
      stepLabel: "end",
      link: "http://app.test/#a&b",
    });
    expect(out.svg).not.toContain("<img");
    expect(out.svg).toContain("&lt;img src=x onerror=&quot;alert(1)&quot;&gt; &amp; ]]&gt;");
    expect(out.svg).toContain("http://app.test/#a&amp;b");
  });
});
