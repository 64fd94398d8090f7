/**
 * Painting a memory map. Two passes per frame:
 *
 *   1. paintCells(): every cell is copied from a pre-built tile (one per class × mixed × huge) into
 *      a Uint32Array over the canvas's ImageData, then put in one call. Cost is one write per
 *      device pixel, whatever the number of tables: 102,400 cells at 2 × 2 device px is ~410,000
 *      writes, about a millisecond. Tiles are rebuilt only when the cell size or the theme changes.
 *   2. Overlays with the 2D context in devicePx: gutter labels and marks, the outline of the cells
 *      the step touched (one path of merged edges; only when cells are big enough that a line does
 *      not cover them), rings around a few touched cells, the hover and selection rings. The step's
 *      marks are drawStepMarks(), the same on every map (the single view's and compare's).
 *
 * Focus + context: to show where the action is (the step's pages, or the balloon's tables when
 * linked), the other cells are painted from a second, faded tile set. The focused cells keep
 * their true colours, however small they are; nothing is drawn over them.
 *
 * Tiles carry the non-colour cues (classes.ts): an empty table has a dark edge, zeropage tables
 * have a light centre, zero-filled anon pages a dark dot, KSM a cross, mixed tables a diagonal, and
 * huge PMDs a dark corner. They need cells of about 6 device px (the edge 7); smaller cells are
 * plain colour and the legend says to zoom in. Every cue is drawn over the class's own colour and
 * covers the smaller part of the tile, so a class looks the same colour at every cell size and in
 * the legend's swatch (colours.ts).
 */
import { SLOT_COUNT, TILE_COUNT } from "./classes.ts";
import { cellOriginDevicePx, type MapLayout } from "./layout.ts";

/** Colours as little-endian RGBA words (ImageData byte order on every platform we run on). */
export interface PixelPalette {
  /** Base colour per palette slot (classes.ts SLOT_KEYS order). */
  readonly slot: Uint32Array;
  /** The edge of an empty table's cell (its body is its slot colour, like every class). */
  readonly noneEdge: number;
  /** The body of a huge PMD that maps the huge zero page (the zeropage slot with the huge flag). */
  readonly hugeZero: number;
  /** Dark and light marks drawn over a base colour, with their opacity. */
  readonly ink: number;
  readonly inkLight: number;
}

export function rgba(r: number, g: number, b: number, a = 255): number {
  return ((a << 24) | (b << 16) | (g << 8) | r) >>> 0;
}

/** Source-over blend of `top` (with opacity `alpha`, 0..1) over an opaque `base`. */
export function blend(base: number, top: number, alpha: number): number {
  const mix = (shift: number) =>
    Math.round(((base >>> shift) & 255) * (1 - alpha) + ((top >>> shift) & 255) * alpha);
  return rgba(mix(0), mix(8), mix(16), 255);
}

export interface TileSet {
  /** Edge of the painted square in device px (pitch minus gap). */
  readonly size: number;
  /** TILE_COUNT tiles of size × size pixels, row-major, one after the other. */
  readonly data: Uint32Array;
}

const SLOT_NONE = 1;
const SLOT_ZERO = 2;
const SLOT_ANON_ZERO = 3;
const SLOT_KSM = 5;

/** Builds every tile for cells of `size` device px. */
export function buildTiles(palette: PixelPalette, size: number): TileSet {
  const s = Math.max(1, size);
  const data = new Uint32Array(TILE_COUNT * s * s);
  const patterns = s >= 6;
  for (let slot = 0; slot < SLOT_COUNT; slot++) {
    for (let flags = 0; flags < 4; flags++) {
      const mixed = (flags & 1) !== 0;
      const huge = (flags & 2) !== 0;
      const base = slot === SLOT_ZERO && huge ? palette.hugeZero : palette.slot[slot]!;
      const dark = blend(base, palette.ink, 0.55);
      const light = blend(base, palette.inkLight, 0.75);
      const off = (slot * 4 + flags) * s * s;
      const mid = (s - 1) / 2;
      for (let y = 0; y < s; y++) {
        for (let x = 0; x < s; x++) {
          let c = base;
          // An empty table's edge: one pixel, from 7 px, so the body stays the larger part.
          if (slot === SLOT_NONE && s >= 7) {
            const edge = x < 1 || y < 1 || x >= s - 1 || y >= s - 1;
            if (edge) c = palette.noneEdge;
          }
          if (patterns) {
            const dx = Math.abs(x - mid);
            const dy = Math.abs(y - mid);
            if (slot === SLOT_ZERO && Math.max(dx, dy) <= s / 5) c = light;
            if (slot === SLOT_ANON_ZERO && Math.max(dx, dy) <= s / 8 + 0.5) c = dark;
            if (slot === SLOT_KSM && (dx <= 0.5 + s / 16 || dy <= 0.5 + s / 16) && Math.max(dx, dy) <= s / 3)
              c = light;
            if (huge && x + y < s / 2.5) c = dark;
          }
          // Mixed: one diagonal from bottom-left to top-right, from 3 px up.
          if (mixed && s >= 3 && Math.abs(x + y - (s - 1)) <= (s >= 10 ? 1 : 0)) c = dark;
          data[off + y * s + x] = c;
        }
      }
    }
  }
  return { size: s, data };
}

/**
 * Tiles for the guest's view (the balloon map), indexed by the per-table balloon byte:
 *   0 the guest owns every page   1 some pages are in the balloon   2 all are
 * A partly ballooned table is split along its diagonal; a full one is hatched.
 */
export function buildBalloonTiles(guest: number, balloon: number, inkLight: number, size: number): TileSet {
  const s = Math.max(1, size);
  const data = new Uint32Array(3 * s * s);
  const hatch = blend(balloon, inkLight, 0.45);
  for (let y = 0; y < s; y++) {
    for (let x = 0; x < s; x++) {
      data[y * s + x] = guest;
      data[s * s + y * s + x] = x + y >= s - 1 ? balloon : guest;
      data[2 * s * s + y * s + x] = s >= 6 && (x + y) % 4 === 0 ? hatch : balloon;
    }
  }
  return { size: s, data };
}

/**
 * Paints every cell of `layout` from `tileByCell` into `pixels` (the canvas's ImageData as 32-bit
 * words, devicePxWidth wide). Gaps and the gutter are left transparent.
 */
export function paintCells(
  layout: MapLayout,
  tileByCell: Uint8Array,
  tiles: TileSet,
  /* out */ pixels: Uint32Array,
  focus: { readonly byCell: Uint8Array; readonly faded: TileSet } | null = null,
  clear = true,
): void {
  // Cells overwrite all their pixels; gaps and the gutter stay transparent once cleared, so a
  // redraw over the same layout can skip the clear.
  if (clear) pixels.fill(0);
  const focusByCell = focus ? focus.byCell : null;
  const faded = focus ? focus.faded.data : tiles.data;
  const data = tiles.data;
  const width = layout.devicePxWidth;
  const pitch = layout.devicePxPitch;
  const ts = tiles.size;
  const s = Math.min(ts, pitch);
  const area = ts * ts;
  const gutter = layout.devicePxGutter;
  const { columns, cells } = layout;
  // Row by row, no division per cell; 1 × 1 and 2 × 2 cells (the whole-RAM view) are unrolled.
  for (let row = 0, c = 0; c < cells; row++) {
    const rowEnd = Math.min(cells, c + columns);
    let dst = row * pitch * width + gutter;
    for (; c < rowEnd; c++, dst += pitch) {
      const from = focusByCell !== null && focusByCell[c] === 0 ? faded : data;
      const src = tileByCell[c]! * area;
      if (s === 1) {
        pixels[dst] = from[src]!;
      } else if (s === 2) {
        pixels[dst] = from[src]!;
        pixels[dst + 1] = from[src + 1]!;
        pixels[dst + width] = from[src + ts]!;
        pixels[dst + width + 1] = from[src + ts + 1]!;
      } else {
        for (let y = 0, d = dst, t = src; y < s; y++, d += width, t += ts) {
          for (let x = 0; x < s; x++) pixels[d + x] = from[t + x]!;
        }
      }
    }
  }
}

/** The same tiles faded towards `background` (for the context around focused cells). */
export function fadeTiles(tiles: TileSet, background: number, amount: number): TileSet {
  const data = new Uint32Array(tiles.data.length);
  for (let i = 0; i < data.length; i++) data[i] = blend(tiles.data[i]!, background, amount);
  return { size: tiles.size, data };
}

/** Rows holding at least one cell whose byte equals `value` (for gutter marks). */
export function markedRows(
  layout: MapLayout,
  byCell: Uint8Array,
  value: number,
  /* out */ rows: Uint8Array,
): void {
  rows.fill(0, 0, layout.rows);
  for (let c = 0; c < layout.cells; c++) if (byCell[c] === value) rows[(c / layout.columns) | 0] = 1;
}

/** The subset of CanvasRenderingContext2D the path builders use (tests pass a recorder). */
export interface PathSink {
  moveTo(x: number, y: number): void;
  lineTo(x: number, y: number): void;
}

/**
 * Adds to the current path the outline of the cells whose byte equals `value`: every edge between
 * such a cell and one that is not (or the map's border). Horizontal edges along a row are merged
 * into one segment. Returns the number of segments.
 */
export function outlineCells(sink: PathSink, layout: MapLayout, byCell: Uint8Array, value: number): number {
  const { columns, cells, devicePxPitch: p, devicePxGutter: g } = layout;
  const rows = layout.rows;
  const on = (c: number) => c >= 0 && c < cells && byCell[c] === value;
  let segments = 0;
  for (let row = 0; row < rows; row++) {
    const y = row * p;
    let topStart = -1;
    let bottomStart = -1;
    for (let col = 0; col <= columns; col++) {
      const c = row * columns + col;
      const inside = col < columns && on(c);
      const topEdge = inside && (row === 0 || !on(c - columns));
      const bottomEdge = inside && !on(c + columns);
      if (topEdge && topStart < 0) topStart = col;
      if (!topEdge && topStart >= 0) {
        sink.moveTo(g + topStart * p, y);
        sink.lineTo(g + col * p, y);
        topStart = -1;
        segments++;
      }
      if (bottomEdge && bottomStart < 0) bottomStart = col;
      if (!bottomEdge && bottomStart >= 0) {
        sink.moveTo(g + bottomStart * p, y + p);
        sink.lineTo(g + col * p, y + p);
        bottomStart = -1;
        segments++;
      }
      if (inside) {
        if (col === 0 || !on(c - 1)) {
          sink.moveTo(g + col * p, y);
          sink.lineTo(g + col * p, y + p);
          segments++;
        }
        if (col === columns - 1 || !on(c + 1)) {
          sink.moveTo(g + (col + 1) * p, y);
          sink.lineTo(g + (col + 1) * p, y + p);
          segments++;
        }
      }
    }
  }
  return segments;
}

/** The first cell whose byte equals `value`, or -1. */
export function firstCell(layout: MapLayout, byCell: Uint8Array, value: number): number {
  for (let c = 0; c < layout.cells; c++) if (byCell[c] === value) return c;
  return -1;
}

/** A square ring around a cell, at least `devicePxMin` wide so that 1-px cells can be found. */
export function ringRect(
  layout: MapLayout,
  cell: number,
  devicePxMin: number,
): { x: number; y: number; size: number } {
  const o = cellOriginDevicePx(layout, cell);
  const p = layout.devicePxPitch;
  const size = Math.max(p, devicePxMin);
  return { x: o.x + p / 2 - size / 2, y: o.y + p / 2 - size / 2, size };
}

/** The part of CanvasRenderingContext2D drawStepMarks() uses. */
export interface MarkContext extends PathSink {
  fillStyle: string | CanvasGradient | CanvasPattern;
  strokeStyle: string | CanvasGradient | CanvasPattern;
  lineWidth: number;
  beginPath(): void;
  stroke(): void;
  fillRect(x: number, y: number, w: number, h: number): void;
  strokeRect(x: number, y: number, w: number, h: number): void;
}

/** Below this cell pitch (CSS px) a line would cover the cells it outlines. */
export const OUTLINE_MIN_CSS_PITCH = 5;
/** Up to this many touched cells too small to outline, each gets a ring. */
export const RING_MAX_CELLS = 24;

/**
 * Marks the cells a step touched (byCell[c] === 1, `count` of them): a mark in the gutter on every
 * row that holds one, so tiny cells are found at a glance; an outline of the touched region when
 * cells are big enough to carry a line; rings around a few tiny ones. Never a line over every tiny
 * cell: a step that touches 40,000 one-pixel cells (the balloon) would bury the map in ink.
 * `rows` is scratch space (at least layout.rows long).
 */
export function drawStepMarks(
  ctx: MarkContext,
  layout: MapLayout,
  byCell: Uint8Array,
  count: number,
  rows: Uint8Array,
  colours: { readonly active: string; readonly activeHalo: string },
): void {
  if (count <= 0) return;
  const dpr = layout.devicePixelRatio;
  markedRows(layout, byCell, 1, rows);
  ctx.fillStyle = colours.active;
  const markX = layout.devicePxGutter - 5 * dpr;
  if (markX >= 0)
    for (let row = 0; row < layout.rows; row++) {
      if (rows[row])
        ctx.fillRect(markX, row * layout.devicePxPitch, 3 * dpr, Math.max(1, layout.devicePxPitch));
    }
  if (layout.devicePxPitch / dpr >= OUTLINE_MIN_CSS_PITCH) {
    ctx.beginPath();
    outlineCells(ctx, layout, byCell, 1);
    ctx.strokeStyle = colours.activeHalo;
    ctx.lineWidth = 3 * dpr;
    ctx.stroke();
    ctx.strokeStyle = colours.active;
    ctx.lineWidth = 1.5 * dpr;
    ctx.stroke();
  } else if (count <= RING_MAX_CELLS) {
    for (let c = 0; c < layout.cells; c++) {
      if (byCell[c] !== 1) continue;
      const r = ringRect(layout, c, 9 * dpr);
      ctx.strokeStyle = colours.activeHalo;
      ctx.lineWidth = 3 * dpr;
      ctx.strokeRect(r.x, r.y, r.size, r.size);
      ctx.strokeStyle = colours.active;
      ctx.lineWidth = 1.5 * dpr;
      ctx.strokeRect(r.x, r.y, r.size, r.size);
    }
  }
}

/**
 * Outlines the ballooned tables (byCell[c] === 1) in the balloon's colour over a light or dark
 * halo, where cells are big enough to carry a line; smaller cells show the balloon by the fading
 * of the others alone (paintCells' focus). Returns whether a line was drawn.
 */
export function outlineBalloon(
  ctx: MarkContext,
  layout: MapLayout,
  byCell: Uint8Array,
  colours: { readonly balloon: string; readonly activeHalo: string },
): boolean {
  const dpr = layout.devicePixelRatio;
  if (layout.devicePxPitch / dpr < OUTLINE_MIN_CSS_PITCH) return false;
  ctx.beginPath();
  if (outlineCells(ctx, layout, byCell, 1) === 0) return false;
  ctx.strokeStyle = colours.activeHalo;
  ctx.lineWidth = 3.5 * dpr;
  ctx.stroke();
  ctx.strokeStyle = colours.balloon;
  ctx.lineWidth = 2 * dpr;
  ctx.stroke();
  return true;
}
