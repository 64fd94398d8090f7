import { describe, expect, it } from "vitest";
import { GiB, MiB } from "../../../base/units.ts";
import { countClassesFromHistogram } from "./aggregate.ts";
import { CLASS_ANON_DATA, CLASS_HUGE, CLASS_ZERO, DEFAULT_SLOT_NAMES, SLOT_ZERO } from "./classes.ts";
import {
  describeHostCells,
  hostMapsLayout,
  hugeZeroTables,
  legendTables,
  pairMaxHeight,
  pairSideBySide,
  pteStateCounts,
  summaryAttr,
} from "./host-maps.ts";
import { wholeViewport } from "./layout.ts";

describe("hostMapsLayout", () => {
  const tables = 102_400; // 100 GiB of 1 MiB tables
  const whole = wholeViewport(tables);

  it("stands the source and destination side by side when the pane has room and the cells are small", () => {
    expect(pairSideBySide(2, 1000)).toBe(true);
    expect(pairSideBySide(1, 1000)).toBe(false);
    expect(pairSideBySide(2, 600)).toBe(false);
    const { layout, pair } = hostMapsLayout(tables, whole, 1000, 1, 2, 900);
    expect(pair).toBe(true);
    expect(layout.cssPxWidth).toBeLessThanOrEqual((1000 - 16) / 2);
    expect(layout.cssPxHeight).toBeLessThanOrEqual(pairMaxHeight(900));
  });

  it("keeps a small guest's big cells stacked", () => {
    expect(hostMapsLayout(64, wholeViewport(64), 1000, 1, 2, 900).pair).toBe(false);
  });

  it("lets paired maps grow to 420 CSS px, less on a short window, never under 200", () => {
    expect([pairMaxHeight(2000), pairMaxHeight(720), pairMaxHeight(400)]).toEqual([420, 390, 200]);
  });
});

describe("describeHostCells", () => {
  const m = {
    name: "source",
    balloon: Uint8Array.from([0, 1, 2, 0]),
    tableClass: Uint8Array.from([CLASS_ZERO, CLASS_ANON_DATA, CLASS_ZERO, CLASS_ZERO]),
  };

  it("names one table: its place, its guest RAM, its class and the balloon", () => {
    expect(describeHostCells(m, MiB, DEFAULT_SLOT_NAMES, 2, 3)).toMatch(
      /^source host · table 2 · 2 MiB – 3 MiB · .+; all in the balloon$/,
    );
    expect(describeHostCells(m, MiB, DEFAULT_SLOT_NAMES, 1, 2)).toMatch(/; partly in the balloon$/);
    expect(describeHostCells(m, MiB, DEFAULT_SLOT_NAMES, 0, 1)).not.toMatch(/balloon/);
  });

  it("names a cell of several tables by its range only", () => {
    expect(describeHostCells(m, GiB, DEFAULT_SLOT_NAMES, 0, 4)).toBe(
      "source host · tables 0–3 · 0 B – 4 GiB",
    );
  });
});

describe("the legend's counts", () => {
  it("counts huge zero PMDs apart from the zeropage PTEs", () => {
    const histogram = new Float64Array(256);
    histogram[CLASS_ZERO] = 10;
    histogram[CLASS_ZERO | CLASS_HUGE] = 3;
    histogram[CLASS_ANON_DATA] = 5;
    const c = countClassesFromHistogram(histogram);
    expect(legendTables(c, SLOT_ZERO)).toBe(10);
    expect(hugeZeroTables(c)).toBe(3);
    expect(summaryAttr(c)).toBe("absent:0,none:0,zero:13,anon-zero:0,anon-data:5,ksm:0");
  });

  it("counts a table's PTEs per state", () => {
    expect(pteStateCounts(Uint8Array.from([0, 2, 2, 1, 2]), 4)).toEqual([1, 1, 3, 0]);
  });
});
