import { describe, expect, it } from "vitest";
import { CLASS_ANON_DATA, CLASS_HUGE, CLASS_MIXED, CLASS_ZERO, TILE_COUNT, tileOf } from "./classes.ts";
import {
  blend,
  buildBalloonTiles,
  buildTiles,
  firstCell,
  outlineCells,
  type PathSink,
  type PixelPalette,
  paintCells,
  rgba,
} from "./draw.ts";
import { computeLayout } from "./layout.ts";

const palette: PixelPalette = {
  slot: Uint32Array.from([
    rgba(230, 230, 230),
    rgba(140, 150, 160),
    rgba(86, 180, 233),
    rgba(230, 159, 0),
    rgba(199, 83, 0),
    rgba(0, 158, 115),
  ]),
  noneEdge: rgba(111, 120, 133),
  hugeZero: rgba(0, 114, 178),
  ink: rgba(0, 0, 0),
  inkLight: rgba(255, 255, 255),
};

class Recorder implements PathSink {
  segments: [number, number, number, number][] = [];
  private at: [number, number] = [0, 0];
  moveTo(x: number, y: number) {
    this.at = [x, y];
  }
  lineTo(x: number, y: number) {
    this.segments.push([this.at[0], this.at[1], x, y]);
    this.at = [x, y];
  }
}

describe("colours", () => {
  it("packs RGBA little-endian and blends", () => {
    expect(rgba(1, 2, 3, 4)).toBe(0x04030201);
    expect(blend(rgba(0, 0, 0), rgba(255, 255, 255), 0.5)).toBe(rgba(128, 128, 128));
  });
});

describe("tiles", () => {
  it("draw each class in its own colour at every cell size: cues cover the smaller part", () => {
    // The legend's swatch (14 px at ratio 1, 28 at 2) and a map's 1-px cells must read the same.
    for (let size = 1; size <= 28; size++) {
      const tiles = buildTiles(palette, size);
      for (let slot = 0; slot < palette.slot.length; slot++) {
        const tile = tiles.data.subarray(slot * 4 * size * size, (slot * 4 + 1) * size * size);
        const own = tile.filter((c) => c === palette.slot[slot]).length;
        expect(own / tile.length, `slot ${slot} at ${size} px`).toBeGreaterThan(0.5);
      }
    }
  });

  it("builds every tile; plain colour at 1 px, patterns from 6 px", () => {
    const one = buildTiles(palette, 1);
    expect(one.data.length).toBe(TILE_COUNT);
    expect(one.data[tileOf(CLASS_ZERO)]).toBe(palette.slot[2]);
    const big = buildTiles(palette, 12);
    const zero = big.data.subarray(tileOf(CLASS_ZERO) * 144, (tileOf(CLASS_ZERO) + 1) * 144);
    expect(zero[0]).toBe(palette.slot[2]); // corner: base colour
    expect(zero[6 * 12 + 6]).not.toBe(palette.slot[2]); // centre: the light mark
    const mixed = big.data.subarray(tileOf(CLASS_ANON_DATA | CLASS_MIXED) * 144);
    expect(mixed[11 * 12 + 0]).not.toBe(palette.slot[4]); // bottom-left: on the diagonal
    expect(mixed[0]).toBe(palette.slot[4]);
  });

  it("balloon tiles: guest, split, full", () => {
    const t = buildBalloonTiles(rgba(200, 200, 200), rgba(180, 85, 154), rgba(255, 255, 255), 4);
    expect(t.data[0]).toBe(rgba(200, 200, 200));
    expect(t.data[16 + 15]).toBe(rgba(180, 85, 154));
    expect(t.data[16]).toBe(rgba(200, 200, 200));
  });
});

describe("paintCells", () => {
  it("copies each cell's tile to its place and leaves gaps and gutter transparent", () => {
    const layout = computeLayout({
      tableCount: 4,
      cssPxWidth: 14 + 4 * 8,
      cssPxMaxHeight: 8,
      cssPxGutter: 14,
      cssPxMaxPitch: 8,
      devicePixelRatio: 1,
    });
    expect(layout.devicePxPitch).toBe(8);
    expect(layout.devicePxGap).toBe(1);
    const tiles = buildTiles(palette, layout.devicePxPitch - layout.devicePxGap);
    const tileByCell = Uint8Array.from([tileOf(CLASS_ZERO), tileOf(CLASS_ANON_DATA), 0, tileOf(CLASS_ZERO)]);
    const pixels = new Uint32Array(layout.devicePxWidth * layout.devicePxHeight).fill(123);
    paintCells(layout, tileByCell, tiles, pixels);
    const at = (x: number, y: number) => pixels[y * layout.devicePxWidth + x];
    expect(at(0, 0)).toBe(0); // gutter
    expect(at(14, 0)).toBe(palette.slot[2]); // cell 0
    expect(at(14 + 7, 0)).toBe(0); // gap
    expect(at(14 + 8, 0)).toBe(palette.slot[4]); // cell 1
    expect(at(14 + 16, 0)).toBe(palette.slot[0]); // cell 2: no page table
  });
});

describe("outlineCells", () => {
  it("outlines a 2 × 2 block with 4 merged horizontal edges and 4 vertical ones", () => {
    const layout = computeLayout({
      tableCount: 16,
      cssPxWidth: 40,
      cssPxMaxHeight: 40,
      cssPxGutter: 0,
      cssPxMaxPitch: 10,
      devicePixelRatio: 1,
    });
    expect(layout.columns).toBe(4);
    const on = new Uint8Array(16);
    for (const c of [5, 6, 9, 10]) on[c] = 1;
    const r = new Recorder();
    const n = outlineCells(r, layout, on, 1);
    expect(n).toBe(6);
    const p = layout.devicePxPitch;
    expect(r.segments).toContainEqual([p, p, 3 * p, p]); // top, merged over two cells
    expect(r.segments).toContainEqual([p, 3 * p, 3 * p, 3 * p]); // bottom
    expect(r.segments).toContainEqual([p, p, p, 2 * p]); // left, row 1
    expect(firstCell(layout, on, 1)).toBe(5);
  });
});

describe("huge zero page", () => {
  it("a huge PMD of zeropage content has its own body colour, not the zeropage's", () => {
    const big = buildTiles(palette, 12);
    const t = tileOf(CLASS_ZERO | CLASS_HUGE);
    const tile = big.data.subarray(t * 144, (t + 1) * 144);
    expect(tile[11 * 12 + 11]).toBe(palette.hugeZero);
    expect(tile.filter((c) => c === palette.slot[2]).length).toBe(0);
  });
});
