import { describe, expect, it } from "vitest";
import { gutterLabel, gutterLabels } from "./gutter.ts";
import { mapKeyAction } from "./keys.ts";
import { computeLayout } from "./layout.ts";

/** 1,000 tables, 4 to a cell, 32 cells to a row (viewport: tables 200..999). */
const layout = computeLayout({
  tableCount: 1000,
  tableSpaceStart: 200,
  tableSpaceLength: 800,
  cssPxWidth: 32,
  cssPxMaxHeight: 7,
  cssPxGutter: 0,
  cssPxMaxPitch: 1,
  devicePixelRatio: 1,
});

describe("mapKeyAction", () => {
  it("moves by one cell or one row of cells, snapped to a cell's first table", () => {
    expect([layout.tablesPerCell, layout.columns]).toEqual([4, 32]);
    expect(mapKeyAction(layout, 210, "ArrowRight")).toEqual({ select: 212 });
    expect(mapKeyAction(layout, 210, "ArrowLeft")).toEqual({ select: 204 });
    expect(mapKeyAction(layout, 210, "ArrowDown")).toEqual({ select: 336 });
    expect(mapKeyAction(layout, 210, "ArrowUp")).toEqual({ select: 80 });
  });

  it("goes to the viewport's ends, within the mm's tables", () => {
    expect(mapKeyAction(layout, 500, "Home")).toEqual({ select: 200 });
    expect(mapKeyAction(layout, 500, "End")).toEqual({ select: 996 });
    expect(mapKeyAction(layout, 998, "ArrowDown")).toEqual({ select: 999 });
  });

  it("selects the viewport's first table on the first key, zooms around the selection, ignores others", () => {
    expect(mapKeyAction(layout, null, "ArrowDown")).toEqual({ select: 200 });
    expect(mapKeyAction(layout, 333, "Enter")).toEqual({ zoom: "in", focusTable: 333 });
    expect(mapKeyAction(layout, 333, "+")).toEqual({ zoom: "in", focusTable: 333 });
    expect(mapKeyAction(layout, null, "Escape")).toEqual({ zoom: "out", focusTable: 200 });
    expect(mapKeyAction(layout, 333, "x")).toBeNull();
  });
});

describe("gutterLabels", () => {
  it("spells addresses in GiB or MiB", () => {
    expect([0, 2 ** 30, 1.5 * 2 ** 30, 2 ** 20 * 300].map(gutterLabel)).toEqual([
      "0",
      "1 GiB",
      "1.50 GiB",
      "300 MiB",
    ]);
  });

  it("labels rows at least 14 CSS px apart, from the viewport's first table", () => {
    const big = computeLayout({
      tableCount: 64,
      cssPxWidth: 80,
      cssPxMaxHeight: 400,
      cssPxGutter: 0,
      cssPxMaxPitch: 10,
      devicePixelRatio: 2,
    });
    const labels = gutterLabels(big, 2 ** 20);
    expect(labels[0]).toEqual({ top: 0, text: "0" });
    for (let i = 1; i < labels.length; i++)
      expect(labels[i]!.top - labels[i - 1]!.top).toBeGreaterThanOrEqual(14);
    const rowBytes = big.columns * big.tablesPerCell * 2 ** 20;
    const stride = (labels[1]!.top * big.devicePixelRatio) / big.devicePxPitch;
    expect(labels[1]!.text).toBe(gutterLabel(stride * rowBytes));
  });
});
