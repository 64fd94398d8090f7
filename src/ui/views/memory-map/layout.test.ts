import { describe, expect, it } from "vitest";
import {
  appMapLayout,
  cellAtCssPx,
  cellOfTable,
  cellOriginDevicePx,
  computeLayout,
  devicePxOf,
  labelRowStride,
  MIN_ZOOM_TABLES,
  placeViewport,
  tablesOfCell,
  viewportOfZoom,
  wholeViewport,
  zoomIn,
  zoomOfViewport,
  zoomOut,
} from "./layout.ts";

const base = { cssPxWidth: 612, cssPxMaxHeight: 220, cssPxGutter: 52, cssPxMaxPitch: 26 };

describe("computeLayout", () => {
  it("100 GiB on s390 (102,400 tables) at ratio 1: one table per 1-px cell, 512 per row", () => {
    const l = computeLayout({ ...base, tableCount: 102_400, devicePixelRatio: 1 });
    expect(l.tablesPerCell).toBe(1);
    expect(l.columns).toBe(512);
    expect(l.rows).toBe(200);
    expect(l.devicePxPitch).toBe(1);
    expect(l.cssPxHeight).toBeLessThanOrEqual(220);
  });

  it("100 GiB at ratio 2: still one table per cell, cells of 2 device px", () => {
    const l = computeLayout({ ...base, tableCount: 102_400, devicePixelRatio: 2 });
    expect(l.tablesPerCell).toBe(1);
    expect(l.devicePxPitch).toBe(2);
    expect(l.devicePxWidth).toBe(104 + 512 * 2);
    expect(l.cssPxWidth).toBe(52 + 512);
  });

  it("1 TiB (1,048,576 tables) aggregates 16 tables per cell at ratio 1, 4 at ratio 2, and fits", () => {
    const l = computeLayout({ ...base, tableCount: 1_048_576, devicePixelRatio: 1 });
    expect(l.tablesPerCell).toBe(16);
    expect(l.cells).toBe(65_536);
    expect(computeLayout({ ...base, tableCount: 1_048_576, devicePixelRatio: 2 }).tablesPerCell).toBe(4);
    expect(l.rows * l.devicePxPitch).toBeLessThanOrEqual(220);
    expect(l.columns * l.rows).toBeGreaterThanOrEqual(l.cells);
  });

  it("a 64-table teaching guest gets big cells with gaps", () => {
    const l = computeLayout({ ...base, tableCount: 64, devicePixelRatio: 1 });
    expect(l.tablesPerCell).toBe(1);
    expect(l.devicePxPitch).toBe(26);
    expect(l.columns).toBe(16);
    expect(l.rows).toBe(4);
    expect(l.devicePxGap).toBe(2);
  });

  it("never fails, even for tiny canvases or empty maps", () => {
    expect(
      computeLayout({ ...base, cssPxWidth: 10, cssPxMaxHeight: 1, tableCount: 5000, devicePixelRatio: 1 })
        .cells,
    ).toBeGreaterThan(0);
    expect(computeLayout({ ...base, tableCount: 0, devicePixelRatio: 1 }).cells).toBe(0);
  });

  it("gives whole device-px sizes whatever it is given: NaN (a detached element), Infinity, fractions", () => {
    const odd = [Number.NaN, Number.POSITIVE_INFINITY, -3, 0, 0.5, 611.7];
    for (const cssPxWidth of odd)
      for (const devicePixelRatio of [Number.NaN, 0, 1, 1.25, 1.5, 2.625])
        for (const tableSpaceLength of [undefined, Number.NaN, 1000.5]) {
          const l = computeLayout({
            ...base,
            cssPxWidth,
            tableCount: 102_400,
            tableSpaceLength,
            devicePixelRatio,
          });
          for (const v of [l.devicePxWidth, l.devicePxHeight, l.devicePxPitch, l.devicePxGutter, l.cells])
            expect(Number.isInteger(v) && v >= 0, `${cssPxWidth} ${devicePixelRatio}: ${v}`).toBe(true);
          expect(l.devicePxWidth).toBeGreaterThan(0);
          expect(l.devicePxHeight).toBeGreaterThan(0);
        }
  });

  it("devicePxOf: whole pixels, at least the minimum, for any input", () => {
    expect(devicePxOf(14, 1.5)).toBe(21);
    expect(devicePxOf(14, 1.25)).toBe(17);
    expect(devicePxOf(Number.NaN, 2)).toBe(1);
    expect(devicePxOf(14, Number.NaN)).toBe(14);
    expect(devicePxOf(-5, 1, 0)).toBe(0);
  });

  it("the same inputs give the same layout for every map (host maps and the balloon map line up)", () => {
    const a = appMapLayout(102_400, wholeViewport(102_400), 612, 2, 2);
    const b = appMapLayout(102_400, wholeViewport(102_400), 612, 2, 2);
    expect(a).toEqual(b);
  });
});

describe("coordinates", () => {
  const l = computeLayout({
    ...base,
    tableCount: 102_400,
    tableSpaceStart: 1024,
    tableSpaceLength: 4096,
    devicePixelRatio: 2,
  });

  it("round-trips table → cell → tables", () => {
    const cell = cellOfTable(l, 1024 + 777);
    const [first, end] = tablesOfCell(l, cell);
    expect(first).toBeLessThanOrEqual(1024 + 777);
    expect(end).toBeGreaterThan(1024 + 777);
    expect(cellOfTable(l, 1023)).toBe(-1);
    expect(cellOfTable(l, 1024 + 4096)).toBe(-1);
  });

  it("hit-tests the centre of every kind of cell back to itself", () => {
    for (const cell of [0, 1, l.columns - 1, l.columns, l.cells - 1]) {
      const o = cellOriginDevicePx(l, cell);
      const cssX = (o.x + l.devicePxPitch / 2) / l.devicePixelRatio;
      const cssY = (o.y + l.devicePxPitch / 2) / l.devicePixelRatio;
      expect(cellAtCssPx(l, cssX, cssY)).toBe(cell);
    }
    expect(cellAtCssPx(l, 10, 5)).toBe(-1); // the gutter
  });

  it("labels rows at least 14 CSS px apart", () => {
    const stride = labelRowStride(l, 14);
    expect((stride * l.devicePxPitch) / l.devicePixelRatio).toBeGreaterThanOrEqual(14);
  });
});

describe("zoom", () => {
  it("zooms in by 8 around a table, aligned, down to MIN_ZOOM_TABLES, and back out to everything", () => {
    let v = wholeViewport(102_400);
    v = zoomIn(102_400, v, 50_000);
    expect(v.tableSpaceLength).toBe(16_384);
    expect(v.tableSpaceStart).toBeLessThanOrEqual(50_000);
    expect(v.tableSpaceStart + v.tableSpaceLength).toBeGreaterThan(50_000);
    expect(v.tableSpaceStart % (16_384 / 16)).toBe(0);
    for (let i = 0; i < 10; i++) v = zoomIn(102_400, v, 50_000);
    expect(v.tableSpaceLength).toBe(MIN_ZOOM_TABLES);
    for (let i = 0; i < 10; i++) v = zoomOut(102_400, v, 50_000);
    expect(v).toEqual(wholeViewport(102_400));
  });

  it("keeps a viewport inside guest RAM at the edges", () => {
    expect(placeViewport(1000, 64, 999)).toEqual({ tableSpaceStart: 936, tableSpaceLength: 64 });
    expect(placeViewport(1000, 64, 0).tableSpaceStart).toBe(0);
  });

  it("a link's zoom factor comes back as the same viewport, even rounded to 6 decimals", () => {
    for (const tables of [102_400, 1_048_576, 51_200, 1000]) {
      let v = wholeViewport(tables);
      expect(zoomOfViewport(tables, v)).toBeNull();
      for (let i = 0; i < 6; i++) {
        v = zoomIn(tables, v, Math.floor(tables * 0.37));
        const z = zoomOfViewport(tables, v)!;
        const rounded = Number(z.toFixed(6));
        const back = viewportOfZoom(tables, rounded, v.tableSpaceStart + v.tableSpaceLength / 2);
        expect(back?.tableSpaceLength).toBe(v.tableSpaceLength);
        expect(back!.tableSpaceStart).toBeLessThanOrEqual(v.tableSpaceStart + v.tableSpaceLength / 2);
      }
    }
  });

  it("a zoom of 1 or less, or one wider than RAM, is the whole RAM; a huge one stops at MIN_ZOOM_TABLES", () => {
    expect(viewportOfZoom(102_400, null, 0)).toBeNull();
    expect(viewportOfZoom(102_400, 1, 0)).toBeNull();
    expect(viewportOfZoom(102_400, 0.5, 0)).toBeNull();
    const v = viewportOfZoom(102_400, 65_536, 99_999)!;
    expect(v.tableSpaceLength).toBe(MIN_ZOOM_TABLES);
    expect(v.tableSpaceStart).toBeLessThanOrEqual(99_999);
    expect(v.tableSpaceStart + v.tableSpaceLength).toBeGreaterThan(99_999);
    // A focus past the end of RAM still gives a viewport inside it.
    expect(viewportOfZoom(102_400, 65_536, 5_000_000)).toEqual({
      tableSpaceStart: 102_400 - MIN_ZOOM_TABLES,
      tableSpaceLength: MIN_ZOOM_TABLES,
    });
  });
});
