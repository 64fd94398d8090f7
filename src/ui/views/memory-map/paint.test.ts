import { describe, expect, it } from "vitest";
import { CLASS_ANON_DATA, CLASS_ZERO, tileOf } from "./classes.ts";
import { buildTiles, fadeTiles, rgba } from "./draw.ts";
import { computeLayout, type MapLayout } from "./layout.ts";
import { type MapPaintContext, type MapScene, mapBuffers, paintMap } from "./paint.ts";
import type { MapPalette } from "./palette.ts";

const palette: MapPalette = {
  pixels: {
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
  },
  guestPixel: rgba(200, 200, 200),
  balloonPixel: rgba(170, 0, 170),
  backgroundPixel: rgba(255, 255, 255),
  active: "active",
  activeHalo: "halo",
  select: "select",
  hover: "hover",
  balloon: "balloon",
  text: "text",
};

/** A 2D context that records what is drawn, in order, and keeps the last image put. */
class Recorder implements MapPaintContext {
  fillStyle: string | CanvasGradient | CanvasPattern = "";
  strokeStyle: string | CanvasGradient | CanvasPattern = "";
  lineWidth = 1;
  lineJoin: CanvasLineJoin = "miter";
  lineCap: CanvasLineCap = "butt";
  ops: string[] = [];
  put: Uint32Array | null = null;
  createImageData(width: number, height: number): ImageData {
    return {
      width,
      height,
      data: new Uint8ClampedArray(width * height * 4),
      colorSpace: "srgb",
    } as ImageData;
  }
  putImageData(image: ImageData, _dx: number, _dy: number, x: number, y: number, w: number, h: number) {
    this.put = new Uint32Array(image.data.buffer).slice();
    this.ops.push(`put ${x},${y} ${w}x${h}`);
  }
  clearRect(x: number, y: number, w: number, h: number) {
    this.ops.push(`clear ${x},${y} ${w}x${h}`);
  }
  stroke() {
    this.ops.push(`stroke ${this.strokeStyle} cap=${this.lineCap}`);
  }
  strokeRect() {
    this.ops.push(`ring ${this.strokeStyle}`);
  }
  rect() {}
  fillRect() {}
  beginPath() {}
  moveTo() {}
  lineTo() {}
  save() {}
  restore() {}
}

function canvasOf(ctx: Recorder) {
  return { width: 0, height: 0, getContext: () => ctx };
}

/** 16 tables in cells of 8 device px, 16 to a row, behind a 10-px gutter. */
const layout: MapLayout = computeLayout({
  tableCount: 16,
  cssPxWidth: 138,
  cssPxMaxHeight: 100,
  cssPxGutter: 10,
  cssPxMaxPitch: 8,
  devicePixelRatio: 1,
});

const zeroes = new Uint8Array(16).fill(CLASS_ZERO);

function scene(over: Partial<MapScene>): MapScene {
  return {
    kind: "host",
    perTable: zeroes,
    activeRuns: null,
    pageOffset: 0,
    ptesPerTable: 512,
    focus: { kind: "step" },
    fade: 0.62,
    overlays: ["step", "focus"],
    lineCap: "square",
    ...over,
  };
}

/** The pixel at the middle of a cell. */
function cellPixel(pixels: Uint32Array, cell: number): number {
  const x = layout.devicePxGutter + cell * layout.devicePxPitch + 3;
  return pixels[3 * layout.devicePxWidth + x]!;
}

describe("paintMap", () => {
  it("sizes the canvas to the layout and puts the cells beside a cleared gutter", () => {
    const ctx = new Recorder();
    const canvas = canvasOf(ctx);
    paintMap(canvas, layout, palette, mapBuffers(), scene({}));
    expect([canvas.width, canvas.height]).toEqual([layout.devicePxWidth, layout.devicePxHeight]);
    expect(layout.columns).toBe(16);
    const g = layout.devicePxGutter;
    expect(ctx.ops.slice(0, 2)).toEqual([
      `put ${g},0 ${layout.devicePxWidth - g}x${layout.devicePxHeight}`,
      `clear 0,0 ${g}x${layout.devicePxHeight}`,
    ]);
  });

  it("keeps the focused cells' colours and fades the others", () => {
    const ctx = new Recorder();
    // The step touched pages 512..1023: table 1.
    paintMap(canvasOf(ctx), layout, palette, mapBuffers(), scene({ activeRuns: [512, 512] }));
    const size = layout.devicePxPitch - layout.devicePxGap;
    const tiles = buildTiles(palette.pixels, size);
    const faded = fadeTiles(tiles, palette.backgroundPixel, 0.62);
    const middle = tileOf(CLASS_ZERO) * size * size + 3 * size + 3;
    expect(cellPixel(ctx.put!, 1)).toBe(tiles.data[middle]);
    expect(cellPixel(ctx.put!, 0)).toBe(faded.data[middle]);
    expect(faded.data[middle]).not.toBe(tiles.data[middle]);
  });

  it("fades nothing when the step touched nothing", () => {
    const ctx = new Recorder();
    paintMap(canvasOf(ctx), layout, palette, mapBuffers(), scene({}));
    expect(new Set(Array.from({ length: 16 }, (_, c) => cellPixel(ctx.put!, c))).size).toBe(1);
    expect(ctx.ops.filter((o) => o.startsWith("stroke"))).toEqual([]);
  });

  it("draws the overlays in the scene's order, with its line caps", () => {
    const balloon = new Uint8Array(16);
    balloon[1] = 1;
    const focus = { kind: "balloon", perTable: balloon } as const;
    const strokes = (overlays: MapScene["overlays"], lineCap: MapScene["lineCap"]) => {
      const ctx = new Recorder();
      paintMap(
        canvasOf(ctx),
        layout,
        palette,
        mapBuffers(),
        scene({ activeRuns: [512, 512], focus, overlays, lineCap }),
      );
      return ctx.ops.filter((o) => o.startsWith("stroke"));
    };
    expect(strokes(["step", "focus"], "square")).toEqual([
      "stroke halo cap=square",
      "stroke active cap=square",
      "stroke halo cap=square",
      "stroke balloon cap=square",
    ]);
    expect(strokes(["focus", "step"], "butt")).toEqual([
      "stroke halo cap=butt",
      "stroke balloon cap=butt",
      "stroke halo cap=butt",
      "stroke active cap=butt",
    ]);
  });

  it("outlines and rings the cells that differ, and rings the selected table", () => {
    const diff = new Uint8Array(16);
    diff[3] = 1;
    diff[4] = 2;
    const ctx = new Recorder();
    paintMap(
      canvasOf(ctx),
      layout,
      palette,
      mapBuffers(),
      scene({
        focus: { kind: "diff", perTable: diff, colour: "diff" },
        overlays: ["focus", { table: 7, colour: "select", width: 2 }],
      }),
    );
    // Outline (over the dark "active" halo), then the rings of the few differing cells, then the
    // selection ring (halo, colour).
    expect(ctx.ops.slice(2)).toEqual([
      "stroke active cap=square",
      "stroke diff cap=square",
      "stroke active cap=square",
      "stroke diff cap=square",
      "ring halo",
      "ring select",
    ]);
  });

  it("repaints over kept buffers exactly as a first paint does", () => {
    const data = new Uint8Array(16).fill(CLASS_ZERO);
    data[5] = CLASS_ANON_DATA;
    const kept = mapBuffers();
    const again = new Recorder();
    paintMap(canvasOf(again), layout, palette, kept, scene({ activeRuns: [0, 4096] }));
    paintMap(canvasOf(again), layout, palette, kept, scene({ perTable: data, activeRuns: [2560, 512] }));
    const first = new Recorder();
    paintMap(
      canvasOf(first),
      layout,
      palette,
      mapBuffers(),
      scene({ perTable: data, activeRuns: [2560, 512] }),
    );
    expect(again.put).toEqual(first.put);
  });
});
