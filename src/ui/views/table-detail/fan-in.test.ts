import { describe, expect, it } from "vitest";
import { departures, type FrameKind, ghostBands, layoutFanIn, ownFrameRect } from "./fan-in.ts";

function frames(spec: string): FrameKind[] {
  const by: Record<string, FrameKind> = { ".": "none", "0": "zeropage", a: "own", k: "ksm" };
  return Array.from(spec, (c) => by[c]!);
}

const input = { columns: 4, svgPxCell: 10, svgPxFrame: 8, ownColumns: 4, svgPxBandWidth: 50 };

describe("layoutFanIn", () => {
  it("counts frames and gives each own PTE its own frame, in PTE order", () => {
    const f = layoutFanIn({ ...input, frameBySlot: frames("00a." + "aa0k" + "...." + "0000") });
    expect(f.counts).toEqual({ none: 5, zeropage: 7, own: 3, ksm: 1 });
    expect(Array.from(f.ownIndexBySlot).filter((i) => i >= 0)).toEqual([0, 1, 2]);
    expect(f.ownIndexBySlot[2]).toBe(0);
    expect(f.ownIndexBySlot[5]).toBe(2);
    expect(f.ksmFrame).not.toBeNull();
    expect(ownFrameRect(f, 2, 4, 8).x).toBe(f.ownBlock!.x + 2 * 10);
  });

  it("zeropage bands converge on the one shared frame; own bands keep their width", () => {
    const f = layoutFanIn({ ...input, frameBySlot: frames("00a." + "aa0k" + "...." + "0000") });
    const zero = f.bands.filter((b) => b.kind === "zeropage");
    expect(zero.map((b) => b.count)).toEqual([2, 1, 4]);
    const mid = f.zeroFrame.y + f.zeroFrame.h / 2;
    for (const b of zero) {
      expect(b.ty1 - b.ty0).toBeLessThanOrEqual(2);
      expect((b.ty0 + b.ty1) / 2).toBeCloseTo(mid);
    }
    const own = f.bands.filter((b) => b.kind === "own");
    const total = own.reduce((s, b) => s + (b.ty1 - b.ty0), 0);
    expect(total).toBeCloseTo(f.ownBlock!.h);
    // Source slices are proportional: a row of 4 PTEs of 10 px, 2 zeropage PTEs → 5 px.
    expect(zero[0]!.sy1 - zero[0]!.sy0).toBeCloseTo(5);
  });

  it("an empty table has no bands and no own frames", () => {
    const f = layoutFanIn({ ...input, frameBySlot: frames("................") });
    expect(f.bands).toEqual([]);
    expect(f.ownBlock).toBeNull();
    expect(f.height).toBeGreaterThan(0);
  });
});

describe("departures", () => {
  it("finds PTEs that left a shared frame for their own (unshare, COW)", () => {
    expect(departures(frames("00k."), frames("a0aa"))).toEqual([
      { slot: 0, from: "zeropage" },
      { slot: 2, from: "ksm" },
    ]);
    expect(departures(null, frames("aa"))).toEqual([]);
  });
});

describe("ghostBands", () => {
  it("keeps, per row, the slice of the old zeropage band that belonged to the departed PTEs", () => {
    const before = frames("0000" + "00.." + "....");
    const after = frames("aa00" + "a0.." + "....");
    const prev = layoutFanIn({ ...input, frameBySlot: before });
    const ghosts = ghostBands(prev, departures(before, after), 4, 10);
    expect(ghosts.map((g) => [g.row, g.count])).toEqual([
      [0, 2],
      [1, 1],
    ]);
    // 2 of 4 PTEs of a 10-px row: a 5-px slice starting where the old band started.
    expect(ghosts[0]!.sy1 - ghosts[0]!.sy0).toBeCloseTo(5);
    expect(ghosts[0]!.sy0).toBe(prev.bands[0]!.sy0);
  });
});
