import { describe, expect, it } from "vitest";
import { departures, type FrameKind, layoutTableFanIn, OWN_COLUMNS, ownFrameRect } from "./fan-in.ts";
import { arrivalByOwnFrame, bandPath, selectedArrowPath, unshareArrows } from "./paths.ts";

function frames(spec: string): FrameKind[] {
  const by: Record<string, FrameKind> = { ".": "none", "0": "zeropage", a: "own", k: "ksm" };
  return Array.from(spec, (c) => by[c]!);
}

/** The numbers of an SVG path, in order. */
function numbers(d: string): number[] {
  return (d.match(/-?\d+(\.\d+)?/g) ?? []).map(Number);
}

describe("bandPath", () => {
  it("leaves the grid over the source slice and arrives over the target slice", () => {
    const d = bandPath(100, 200, { kind: "zeropage", row: 0, count: 2, sy0: 10, sy1: 14, ty0: 50, ty1: 52 });
    expect(d.startsWith("M100,10C150,10,150,50,200,50L200,52C150,52,150,14,100,14Z")).toBe(true);
  });
});

describe("unshareArrows", () => {
  const before = frames(`${"0".repeat(16)}k${".".repeat(15)}`);
  const after = frames(`aa${"0".repeat(14)}a${".".repeat(15)}`);
  const fan = layoutTableFanIn(after, 13);
  const leaving = departures(before, after);

  it("draws one arrow per departed PTE, from its shared frame's bottom to its own frame's top", () => {
    const arrows = unshareArrows(fan, leaving);
    expect(arrows.map((a) => [a.slot, a.from])).toEqual([
      [0, "zeropage"],
      [1, "zeropage"],
    ]);
    // The KSM page lost its last PTE and is not drawn: slot 16's arrow has nowhere to start.
    expect(fan.ksmFrame).toBeNull();
    const first = numbers(arrows[0]!.d);
    expect(first.slice(0, 2)).toEqual([
      fan.zeroFrame.x + fan.zeroFrame.w / 2,
      fan.zeroFrame.y + fan.zeroFrame.h,
    ]);
    const own = ownFrameRect(fan, fan.ownIndexBySlot[0]!, OWN_COLUMNS, 11);
    expect(first.slice(-2)).toEqual([own.x + own.w / 2, own.y - 0.5 - 4]);
  });

  it("staggers the arrows and makes each new frame appear as its arrow arrives", () => {
    const arrows = unshareArrows(fan, leaving);
    expect(arrows[0]!.delay).toBe(0);
    expect(arrows[1]!.delay).toBeCloseTo(0.03);
    const arrival = arrivalByOwnFrame(fan, arrows);
    expect(arrival.get(0)).toBeCloseTo(0.56);
    expect(arrival.get(1)).toBeCloseTo(0.59);
    expect(arrival.has(2)).toBe(false);
  });
});

describe("selectedArrowPath", () => {
  it("runs from the middle of the cell to just left of the frame's middle", () => {
    const d = selectedArrowPath({ x: 0, y: 0, w: 10, h: 10 }, { x: 100, y: 40, w: 11, h: 11 });
    const n = numbers(d);
    expect(n.slice(0, 2)).toEqual([5, 5]);
    expect(n.slice(-2)).toEqual([99, 45.5]);
  });
});
