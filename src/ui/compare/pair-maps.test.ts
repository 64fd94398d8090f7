import { describe, expect, it } from "vitest";
import { MiB } from "../../base/units.ts";
import type { MmDiff, PairViewState } from "../../worker/api.ts";
import { CLASS_ZERO, DEFAULT_SLOT_NAMES } from "../views/memory-map/classes.ts";
import { wholeViewport } from "../views/memory-map/layout.ts";
import {
  describePairCells,
  diffCountText,
  diffOf,
  hostNames,
  sideLayouts,
  WHOLE_RAM,
  windowOf,
  zoomStep,
} from "./pair-maps.ts";

describe("the shared zoom", () => {
  it("is a share of guest RAM, so that both sides show the same addresses", () => {
    expect(windowOf(null, 1000)).toBe(WHOLE_RAM);
    expect(windowOf({ tableSpaceStart: 250, tableSpaceLength: 125 }, 1000)).toEqual({
      start: 0.25,
      length: 0.125,
    });
    // s390's 1 MiB tables against x86_64's 2 MiB ones: the same quarter of RAM on each.
    const [left, right] = sideLayouts([1024, 512], { start: 0.25, length: 0.25 }, 400, 1, 2);
    expect([left!.tableSpaceStart, left!.tableSpaceLength]).toEqual([256, 256]);
    expect([right!.tableSpaceStart, right!.tableSpaceLength]).toEqual([128, 128]);
  });

  it("zooms in a step around the selected table, and out to the whole RAM (no zoom in the link)", () => {
    // 102,400 tables / 8, rounded up to a power of two: 16,384 tables, a zoom of 6.25.
    const inward = zoomStep(102_400, null, 5000, "in");
    expect(inward.zoom).toBe(6.25);
    expect(inward.start).toBeLessThanOrEqual(5000);
    expect(inward.start! + 16_384).toBeGreaterThan(5000);
    const viewport = { tableSpaceStart: inward.start!, tableSpaceLength: 16_384 };
    expect(zoomStep(102_400, viewport, 5000, "out")).toEqual({ zoom: null, start: null });
  });

  it("zooms around the viewport's middle when the selection is not in the left run", () => {
    const whole = wholeViewport(1024);
    const z = zoomStep(1024, whole, 4096, "in");
    expect(z.start).toBe(512 - 64);
  });
});

describe("hosts, tooltips and the diff map's counts", () => {
  it("lists every host of either run once, the left's first", () => {
    const side = (...names: string[]) => ({ mms: names.map((name) => ({ name })) });
    const view = { sides: [side("source"), side("source", "destination")] } as unknown as PairViewState;
    expect(hostNames(view)).toEqual(["source", "destination"]);
  });

  it("names the side, the host, the table and its class", () => {
    const classes = Uint8Array.from([CLASS_ZERO, CLASS_ZERO]);
    const one = describePairCells(1, "source", { tableSpanBytes: MiB }, classes, DEFAULT_SLOT_NAMES, 1, 2);
    expect(one).toMatch(/^right · source · table 1 · 1 MiB · ./);
    expect(describePairCells(0, "source", { tableSpanBytes: MiB }, classes, DEFAULT_SLOT_NAMES, 0, 2)).toBe(
      "left · source · tables 0–1",
    );
  });

  it("counts the differing tables, and the right's when they differ", () => {
    const d: MmDiff = {
      name: "source",
      left: new Uint8Array(1),
      right: null,
      differingLeft: 1,
      differingRight: 3,
    };
    expect(diffCountText(d)).toBe("1 page table differs (3 on the right)");
    expect(diffCountText({ ...d, differingLeft: 2, differingRight: 2 })).toBe("2 page tables differ");
    expect(diffCountText(undefined)).toBe("– page tables differ");
    expect(diffOf([d], "source", 0)).toBe(d.left);
    expect(diffOf([d], "destination", 0)).toBeNull();
  });
});
