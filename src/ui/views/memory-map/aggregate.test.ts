import { describe, expect, it } from "vitest";
import { aggregatePartial, aggregateTiles, countClassesFromHistogram, markRuns } from "./aggregate.ts";
import { CLASS_ABSENT, CLASS_ANON_DATA, CLASS_HUGE, CLASS_MIXED, CLASS_ZERO, tileOf } from "./classes.ts";
import { computeLayout, type MapLayout } from "./layout.ts";

function layoutOf(tableCount: number, tablesPerCell: number): MapLayout {
  // A canvas exactly as wide as needed for `tableCount / tablesPerCell` 1-px cells in one row.
  const cells = Math.ceil(tableCount / tablesPerCell);
  const l = computeLayout({
    tableCount,
    cssPxWidth: cells,
    cssPxMaxHeight: 1,
    cssPxGutter: 0,
    cssPxMaxPitch: 1,
    devicePixelRatio: 1,
  });
  expect(l.tablesPerCell).toBe(tablesPerCell);
  return l;
}

describe("aggregateTiles", () => {
  it("one table per cell: the tile of the table's class", () => {
    const classes = Uint8Array.from([
      CLASS_ABSENT,
      CLASS_ZERO,
      CLASS_ANON_DATA | CLASS_MIXED,
      CLASS_ZERO | CLASS_HUGE,
    ]);
    const l = layoutOf(4, 1);
    const out = new Uint8Array(4);
    aggregateTiles(classes, l, out);
    expect(Array.from(out)).toEqual(Array.from(classes, tileOf));
  });

  it("several tables per cell: the most common class, mixed when they differ, huge if any is", () => {
    // 8 tables, 4 per cell (1-px cells in a 2-px wide canvas).
    const classes = Uint8Array.from([
      CLASS_ZERO,
      CLASS_ZERO,
      CLASS_ZERO,
      CLASS_ANON_DATA, // mostly zeropage, mixed
      CLASS_ABSENT,
      CLASS_ABSENT,
      CLASS_ABSENT,
      CLASS_ABSENT | 0, // all absent
    ]);
    const l = computeLayout({
      tableCount: 8,
      cssPxWidth: 2,
      cssPxMaxHeight: 1,
      cssPxGutter: 0,
      cssPxMaxPitch: 1,
      devicePixelRatio: 1,
    });
    expect(l.tablesPerCell).toBe(4);
    const out = new Uint8Array(2);
    aggregateTiles(classes, l, out);
    expect(out[0]).toBe(tileOf(CLASS_ZERO | CLASS_MIXED));
    expect(out[1]).toBe(tileOf(CLASS_ABSENT));
    classes[5] = CLASS_ANON_DATA | CLASS_HUGE;
    aggregateTiles(classes, l, out);
    expect(out[1]).toBe(0 * 4 + 1 + 2); // mostly no table: "absent", mixed, huge
  });

  it("aggregates 1 TiB of tables (1,048,576) without trouble", () => {
    const classes = new Uint8Array(1_048_576).fill(CLASS_ANON_DATA);
    classes.fill(CLASS_ZERO, 0, 400_000);
    const l = computeLayout({
      tableCount: classes.length,
      cssPxWidth: 612,
      cssPxMaxHeight: 220,
      cssPxGutter: 52,
      cssPxMaxPitch: 26,
      devicePixelRatio: 1,
    });
    const out = new Uint8Array(l.cells);
    aggregateTiles(classes, l, out);
    expect(out[0]).toBe(tileOf(CLASS_ZERO));
    expect(out[l.cells - 1]).toBe(tileOf(CLASS_ANON_DATA));
  });
});

describe("markRuns", () => {
  it("marks the cells holding any page of the runs, with a partial first table", () => {
    // 256 PTEs per table, the mapping starts 16 pages into table 0.
    const l = layoutOf(8, 1);
    const out = new Uint8Array(8);
    const marked = markRuns([0, 1, 240, 1, 1000, 20], 16, 256, l, 1, out);
    // page 0 → table 0; page 240 → table 1 (240 + 16 = 256); pages 1000..1019 are 1016..1035 from
    // the first table's start: tables 3 and 4.
    expect(Array.from(out)).toEqual([1, 1, 0, 1, 1, 0, 0, 0]);
    expect(marked).toBe(4);
  });

  it("ignores runs outside the viewport", () => {
    const l = computeLayout({
      tableCount: 100,
      tableSpaceStart: 10,
      tableSpaceLength: 10,
      cssPxWidth: 16,
      cssPxMaxHeight: 1,
      cssPxGutter: 0,
      cssPxMaxPitch: 1,
      devicePixelRatio: 1,
    });
    const out = new Uint8Array(l.cells);
    markRuns([0, 256 * 5, 256 * 12, 256 * 100], 0, 256, l, 1, out);
    expect(Array.from(out)).toEqual([0, 0, 1, 1, 1, 1, 1, 1, 1, 1]);
  });
});

describe("partial bytes and counts", () => {
  it("aggregatePartial: all, some, none", () => {
    const l = computeLayout({
      tableCount: 6,
      cssPxWidth: 4,
      cssPxMaxHeight: 1,
      cssPxGutter: 0,
      cssPxMaxPitch: 1,
      devicePixelRatio: 1,
    });
    const out = new Uint8Array(3);
    aggregatePartial(Uint8Array.from([2, 2, 0, 1, 0, 0]), l, out);
    expect(Array.from(out)).toEqual([2, 1, 0]);
  });

  it("countClassesFromHistogram sums the bins by slot, mixed and huge", () => {
    const histogram = new Float64Array(256);
    histogram[CLASS_ABSENT] = 5;
    histogram[CLASS_ZERO | CLASS_MIXED] = 3;
    histogram[CLASS_ANON_DATA | CLASS_HUGE] = 2;
    const c = countClassesFromHistogram(histogram);
    expect(Array.from(c.bySlot)).toEqual([5, 0, 3, 0, 2, 0]);
    expect(c.mixed).toBe(3);
    expect(c.huge).toBe(2);
  });
});
