/**
 * One memory map painted onto its canvas: the orchestration of draw.ts's passes that every map
 * shares, the single view's (MapCanvas) and compare's (PairMapCanvas). A map is described by a
 * scene: what its cells hold, which cells are in focus (the others are faded), and the overlays
 * drawn over the cells, in order. Buffers (ImageData, per-cell bytes, tiles) live in a MapBuffers
 * the caller keeps between frames; they are reallocated only when the layout's size changes and
 * tiles are rebuilt only when the cell size, the palette or the fade changes.
 *
 *   1. cells: per-table bytes → a tile per cell (aggregate.ts) → pixels (paintCells) → the canvas
 *      in one putImageData, the gutter cleared beside it;
 *   2. overlays, in devicePx with the 2D context: the step's marks, the focus's own outline (the
 *      balloon's tables, or the cells that differ between two runs), rings around a table.
 */
import { aggregateAny, aggregatePartial, aggregateTiles, markRuns } from "./aggregate.ts";
import {
  buildBalloonTiles,
  buildTiles,
  drawStepMarks,
  fadeTiles,
  type MarkContext,
  outlineBalloon,
  outlineCells,
  paintCells,
  ringRect,
  type TileSet,
} from "./draw.ts";
import { cellOfTable, type MapLayout } from "./layout.ts";
import type { MapPalette } from "./palette.ts";

/**
 * Which cells keep their colours; the others are painted from the faded tiles.
 *   step:    the cells the step touched (none touched: nothing is faded);
 *   balloon: the tables in the balloon (perTable: MmSnapshot.balloon bytes), outlined;
 *   diff:    the tables that differ between two runs (perTable: 0 same, 1 differs, 2 only on this
 *            side), outlined in `colour`, with rings when there are few of them.
 */
export type MapFocus =
  | { readonly kind: "step" }
  | { readonly kind: "balloon"; readonly perTable: Uint8Array }
  | { readonly kind: "diff"; readonly perTable: Uint8Array; readonly colour: string };

/** A ring around one table's cell, over a halo two px wider. */
export interface TableRing {
  readonly table: number | null;
  readonly colour: string;
  /** Line width in CSS px. */
  readonly width: number;
}

/** What is drawn over the cells: the step's marks, the focus's outline, a ring. */
export type MapOverlay = "step" | "focus" | TableRing;

export interface MapScene {
  /** host: per-table class bytes, tiles per class; guest: balloon bytes 0/1/2, guest/balloon tiles. */
  readonly kind: "host" | "guest";
  readonly perTable: Uint8Array;
  /** Page runs the current step touched on this mm (flat [first, count] pairs). */
  readonly activeRuns: readonly number[] | null;
  readonly pageOffset: number;
  readonly ptesPerTable: number;
  readonly focus: MapFocus | null;
  /** How far the cells out of focus fade towards the background, 0..1. */
  readonly fade: number;
  readonly overlays: readonly MapOverlay[];
  /**
   * Ends of the outlines' segments: "square" closes their corners (the single view), "butt" leaves
   * them as the segments are (compare's maps, as their key frames show them).
   */
  readonly lineCap: "square" | "butt";
}

/** The part of a 2D context paintMap uses. */
export interface MapPaintContext extends MarkContext {
  lineJoin: CanvasLineJoin;
  lineCap: CanvasLineCap;
  createImageData(width: number, height: number): ImageData;
  putImageData(image: ImageData, dx: number, dy: number, x: number, y: number, w: number, h: number): void;
  clearRect(x: number, y: number, w: number, h: number): void;
  rect(x: number, y: number, w: number, h: number): void;
  save(): void;
  restore(): void;
}

/** The part of a canvas paintMap uses. */
export interface MapPaintTarget {
  width: number;
  height: number;
  getContext(contextId: "2d"): MapPaintContext | null;
}

export interface MapBuffers {
  image: ImageData | null;
  pixels: Uint32Array | null;
  /** The layout the pixels were last painted for. */
  paintedLayout: MapLayout | null;
  tiles: TileSet | null;
  faded: TileSet | null;
  tilesKey: string;
  fadedKey: string;
  palette: MapPalette | null;
  tileByCell: Uint8Array;
  activeByCell: Uint8Array;
  focusByCell: Uint8Array;
  rows: Uint8Array;
}

export function mapBuffers(): MapBuffers {
  return {
    image: null,
    pixels: null,
    paintedLayout: null,
    tiles: null,
    faded: null,
    tilesKey: "",
    fadedKey: "",
    palette: null,
    tileByCell: new Uint8Array(0),
    activeByCell: new Uint8Array(0),
    focusByCell: new Uint8Array(0),
    rows: new Uint8Array(0),
  };
}

/** Up to this many differing cells, each gets a ring. */
const FEW_DIFF_CELLS = 64;

/** Paints `scene` onto `canvas`, sized to the layout. Nothing without a 2D context. */
export function paintMap(
  canvas: MapPaintTarget,
  layout: MapLayout,
  palette: MapPalette,
  b: MapBuffers,
  scene: MapScene,
): void {
  const w = layout.devicePxWidth;
  const h = layout.devicePxHeight;
  if (canvas.width !== w) canvas.width = w;
  if (canvas.height !== h) canvas.height = h;
  const ctx = canvas.getContext("2d");
  if (!ctx) return;
  let fresh = b.paintedLayout !== layout;
  if (!b.image || b.image.width !== w || b.image.height !== h) {
    b.image = ctx.createImageData(w, h);
    b.pixels = new Uint32Array(b.image.data.buffer);
    fresh = true;
  }
  b.paintedLayout = layout;
  if (b.tileByCell.length < layout.cells) {
    b.tileByCell = new Uint8Array(layout.cells);
    b.activeByCell = new Uint8Array(layout.cells);
    b.focusByCell = new Uint8Array(layout.cells);
  }
  if (b.rows.length < layout.rows) b.rows = new Uint8Array(layout.rows);
  const tiles = tilesFor(b, layout, palette, scene.kind);

  b.activeByCell.fill(0, 0, layout.cells);
  const activeCount =
    scene.activeRuns && scene.activeRuns.length > 0
      ? markRuns(scene.activeRuns, scene.pageOffset, scene.ptesPerTable, layout, 1, b.activeByCell)
      : 0;
  const focusByCell = focusCells(b, layout, scene.focus, activeCount);

  // Pass 1: cells. Only the cells' area is put: the gutter is cleared beside it.
  if (scene.kind === "host") aggregateTiles(scene.perTable, layout, b.tileByCell);
  else aggregatePartial(scene.perTable, layout, b.tileByCell);
  const focus = focusByCell ? { byCell: focusByCell, faded: fadedFor(b, tiles, palette, scene.fade) } : null;
  paintCells(layout, b.tileByCell, tiles, b.pixels!, focus, fresh);
  ctx.putImageData(b.image, 0, 0, layout.devicePxGutter, 0, w - layout.devicePxGutter, h);
  ctx.clearRect(0, 0, layout.devicePxGutter, h);

  // Pass 2: overlays, in devicePx.
  ctx.save();
  ctx.lineJoin = "miter";
  ctx.lineCap = scene.lineCap;
  for (const overlay of scene.overlays) {
    if (overlay === "step") drawStepMarks(ctx, layout, b.activeByCell, activeCount, b.rows, palette);
    else if (overlay === "focus") drawFocus(ctx, layout, palette, b.focusByCell, scene.focus);
    else drawTableRing(ctx, layout, overlay, palette.activeHalo);
  }
  ctx.restore();
}

function tilesFor(b: MapBuffers, layout: MapLayout, palette: MapPalette, kind: MapScene["kind"]): TileSet {
  const size = Math.max(1, layout.devicePxPitch - layout.devicePxGap);
  const key = `${kind}:${size}`;
  if (!b.tiles || b.tilesKey !== key || b.palette !== palette) {
    b.tiles =
      kind === "host"
        ? buildTiles(palette.pixels, size)
        : buildBalloonTiles(palette.guestPixel, palette.balloonPixel, palette.pixels.inkLight, size);
    b.tilesKey = key;
    b.palette = palette;
    b.faded = null;
  }
  return b.tiles;
}

function fadedFor(b: MapBuffers, tiles: TileSet, palette: MapPalette, fade: number): TileSet {
  const key = `${b.tilesKey}:${fade}`;
  if (!b.faded || b.fadedKey !== key) {
    b.faded = fadeTiles(tiles, palette.backgroundPixel, fade);
    b.fadedKey = key;
  }
  return b.faded;
}

/** The focused cells (1 and up) for paintCells, or null when nothing is faded. */
function focusCells(
  b: MapBuffers,
  layout: MapLayout,
  focus: MapFocus | null,
  activeCount: number,
): Uint8Array | null {
  if (!focus) return null;
  if (focus.kind === "step") return activeCount > 0 ? b.activeByCell : null;
  // A cell is in the balloon, or differs, if any of its tables does (aggregatePartial: 0 none,
  // 1 some, 2 all).
  if (focus.kind === "balloon") aggregateAny(focus.perTable, layout, b.focusByCell);
  else aggregatePartial(focus.perTable, layout, b.focusByCell);
  return b.focusByCell;
}

function drawFocus(
  ctx: MapPaintContext,
  layout: MapLayout,
  palette: MapPalette,
  byCell: Uint8Array,
  focus: MapFocus | null,
): void {
  if (focus?.kind === "balloon") outlineBalloon(ctx, layout, byCell, palette);
  else if (focus?.kind === "diff") outlineDiff(ctx, layout, byCell, focus.colour, palette.active);
}

/**
 * Differing cells keep their colours (the rest is faded). Large cells also get an outline; a few
 * differing cells get rings, so that a single one among 100,000 can be found. Sets `byCell` to 0/1.
 */
function outlineDiff(
  ctx: MapPaintContext,
  layout: MapLayout,
  byCell: Uint8Array,
  colour: string,
  halo: string,
): void {
  const dpr = layout.devicePixelRatio;
  let marked = 0;
  for (let c = 0; c < layout.cells; c++) {
    byCell[c] = byCell[c]! > 0 ? 1 : 0;
    marked += byCell[c]!;
  }
  const stroke = (width: number) => {
    // A dark halo (light in the dark theme): yellow alone is faint on the faded cells.
    ctx.strokeStyle = halo;
    ctx.lineWidth = (width + 1.5) * dpr;
    ctx.stroke();
    ctx.strokeStyle = colour;
    ctx.lineWidth = width * dpr;
    ctx.stroke();
  };
  if (layout.devicePxPitch >= 8 * dpr) {
    ctx.beginPath();
    if (outlineCells(ctx, layout, byCell, 1) > 0) stroke(2);
  }
  if (marked > 0 && marked <= FEW_DIFF_CELLS) {
    ctx.beginPath();
    for (let c = 0; c < layout.cells; c++) {
      if (!byCell[c]) continue;
      const r = ringRect(layout, c, 16 * dpr);
      ctx.rect(r.x, r.y, r.size, r.size);
    }
    stroke(2.5);
  }
}

/** A ring around the cell of `ring.table` (nothing for null or a table outside the layout). */
export function drawTableRing(ctx: MarkContext, layout: MapLayout, ring: TableRing, halo: string): void {
  if (ring.table === null) return;
  const cell = cellOfTable(layout, ring.table);
  if (cell < 0) return;
  const dpr = layout.devicePixelRatio;
  const r = ringRect(layout, cell, 9 * dpr);
  ctx.strokeStyle = halo;
  ctx.lineWidth = (ring.width + 2) * dpr;
  ctx.strokeRect(r.x, r.y, r.size, r.size);
  ctx.strokeStyle = ring.colour;
  ctx.lineWidth = ring.width * dpr;
  ctx.strokeRect(r.x, r.y, r.size, r.size);
}
