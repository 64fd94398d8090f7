/**
 * Cell geometry of a memory map: which page tables a cell covers and where the cell is drawn.
 * Pure arithmetic, no DOM. Four coordinate spaces (named in every variable, after speedscope):
 *
 *   tableSpace   page-table indices, 0 .. tables-1; the viewport is a range of it
 *   cellSpace    cell indices, row-major, 0 .. cells-1; one cell covers `tablesPerCell` tables
 *   cssPx        CSS pixels (pointer events, element sizes)
 *   devicePx     canvas backing-store pixels: devicePx = cssPx × devicePixelRatio
 *
 * Rows hold a power of two of cells, so every row spans a round size and its start address reads
 * well in the gutter (512 cells of 1 MiB = 512 MiB per row). When there are more tables in the
 * viewport than cells fit, `tablesPerCell` doubles until they fit: the legend says so.
 *
 * Worked numbers: 100 GiB on s390 is 102,400 tables of 1 MiB. In 560 × 240 CSS px at
 * devicePixelRatio 2, cells of 2 device px in rows of 512 give 200 rows, 400 device px tall: one
 * table per cell. 1 TiB (1,048,576 tables) in 560 × 220 at ratio 1 needs 16 tables per cell
 * (512 × 128 cells of 1 px); at ratio 2, 4 per cell (1024 × 256 cells of 1 device px).
 */

export interface LayoutInput {
  readonly tableCount: number;
  /** Viewport in tableSpace; defaults to every table. */
  readonly tableSpaceStart?: number;
  readonly tableSpaceLength?: number;
  /** Width available for the canvas, gutter included. */
  readonly cssPxWidth: number;
  readonly cssPxMaxHeight: number;
  readonly cssPxGutter: number;
  /** Largest cell pitch: small guests get big cells, but not giant ones. */
  readonly cssPxMaxPitch: number;
  readonly devicePixelRatio: number;
}

export interface MapLayout {
  readonly tableCount: number;
  readonly tableSpaceStart: number;
  readonly tableSpaceLength: number;
  readonly tablesPerCell: number;
  readonly columns: number;
  readonly rows: number;
  readonly cells: number;
  /** Distance from one cell's left edge to the next one's. */
  readonly devicePxPitch: number;
  /** Blank pixels between cells (part of the pitch). */
  readonly devicePxGap: number;
  readonly devicePxGutter: number;
  readonly devicePxWidth: number;
  readonly devicePxHeight: number;
  readonly cssPxWidth: number;
  readonly cssPxHeight: number;
  readonly devicePixelRatio: number;
}

export function floorPow2(n: number): number {
  return n < 1 ? 0 : 2 ** Math.floor(Math.log2(n));
}

export function ceilPow2(n: number): number {
  return n <= 1 ? 1 : 2 ** Math.ceil(Math.log2(n));
}

/** Blank device pixels between cells: none below 4 px, so tiny cells stay solid. */
export function gapFor(devicePxPitch: number): number {
  if (devicePxPitch < 4) return 0;
  return devicePxPitch < 16 ? 1 : 2;
}

/** A count or index from the outside: a whole number ≥ 0, and `fallback` for NaN or ±Infinity. */
function wholeOr(n: number | undefined, fallback: number): number {
  return n !== undefined && Number.isFinite(n) ? Math.max(0, Math.floor(n)) : fallback;
}

/**
 * CSS px → device px for any canvas size: a whole number of pixels, at least `min`. Every canvas
 * backing store (the maps, the balloon map, compare's maps, the legend swatches) gets its size
 * from here or from computeLayout, which uses it: canvas.width and createImageData() take whole
 * numbers only, and a size measured from a detached element (NaN) or a fractional ratio must not
 * reach them.
 */
export function devicePxOf(cssPx: number, devicePixelRatio: number, min = 1): number {
  const dpr = Number.isFinite(devicePixelRatio) && devicePixelRatio > 0 ? devicePixelRatio : 1;
  const v = Math.floor(cssPx * dpr);
  return Number.isFinite(v) ? Math.max(min, v) : min;
}

/**
 * The layout with the fewest tables per cell that fits, and for that, the biggest cells. Never
 * fails: at worst cells are one device pixel and cover many tables. The one place where a map's
 * sizes are computed: every device-px size it returns is a whole number, whatever it is given
 * (layout.test.ts feeds it NaN, Infinity and fractions).
 */
export function computeLayout(input: LayoutInput): MapLayout {
  const dpr =
    Number.isFinite(input.devicePixelRatio) && input.devicePixelRatio > 0 ? input.devicePixelRatio : 1;
  const tableCount = wholeOr(input.tableCount, 0);
  const tableSpaceStart = Math.min(wholeOr(input.tableSpaceStart, 0), tableCount);
  const tableSpaceLength = Math.min(
    wholeOr(input.tableSpaceLength, tableCount),
    tableCount - tableSpaceStart,
  );
  const devicePxGutter = devicePxOf(input.cssPxGutter, dpr, 0);
  const devicePxAvailWidth = Math.max(1, devicePxOf(input.cssPxWidth, dpr) - devicePxGutter);
  const devicePxMaxHeight = devicePxOf(input.cssPxMaxHeight, dpr);
  const devicePxMaxPitch = devicePxOf(input.cssPxMaxPitch, dpr);

  let chosen: { k: number; pitch: number; columns: number; rows: number; cells: number } | null = null;
  for (let k = 1; chosen === null; k *= 2) {
    const cells = Math.ceil(tableSpaceLength / k);
    for (let pitch = devicePxMaxPitch; pitch >= 1; pitch--) {
      const fit = floorPow2(Math.floor(devicePxAvailWidth / pitch));
      if (fit < 1) continue;
      const columns = Math.max(1, Math.min(fit, ceilPow2(cells)));
      const rows = Math.ceil(cells / columns);
      if (rows * pitch <= devicePxMaxHeight || (k >= tableSpaceLength && pitch === 1)) {
        chosen = { k, pitch, columns, rows, cells };
        break;
      }
    }
    if (k > 2 ** 40) throw new Error("memory map layout did not converge");
  }
  const { k, pitch, columns, rows, cells } = chosen;
  const devicePxWidth = devicePxGutter + columns * pitch;
  const devicePxHeight = Math.max(1, rows * pitch);
  return {
    tableCount,
    tableSpaceStart,
    tableSpaceLength,
    tablesPerCell: k,
    columns,
    rows,
    cells,
    devicePxPitch: pitch,
    devicePxGap: gapFor(pitch),
    devicePxGutter,
    devicePxWidth,
    devicePxHeight,
    cssPxWidth: devicePxWidth / dpr,
    cssPxHeight: devicePxHeight / dpr,
    devicePixelRatio: dpr,
  };
}

/** The cell covering table `tableSpaceIndex`, or -1 outside the viewport. */
export function cellOfTable(layout: MapLayout, tableSpaceIndex: number): number {
  const rel = tableSpaceIndex - layout.tableSpaceStart;
  if (rel < 0 || rel >= layout.tableSpaceLength) return -1;
  return Math.floor(rel / layout.tablesPerCell);
}

/** First table of cell `cellSpaceIndex` and one past its last. */
export function tablesOfCell(layout: MapLayout, cellSpaceIndex: number): [number, number] {
  const first = layout.tableSpaceStart + cellSpaceIndex * layout.tablesPerCell;
  const end = Math.min(first + layout.tablesPerCell, layout.tableSpaceStart + layout.tableSpaceLength);
  return [first, end];
}

/** Top-left corner of a cell in devicePx. */
export function cellOriginDevicePx(layout: MapLayout, cellSpaceIndex: number): { x: number; y: number } {
  const row = Math.floor(cellSpaceIndex / layout.columns);
  const col = cellSpaceIndex - row * layout.columns;
  return {
    x: layout.devicePxGutter + col * layout.devicePxPitch,
    y: row * layout.devicePxPitch,
  };
}

/** The cell under a point given in cssPx relative to the canvas, or -1. */
export function cellAtCssPx(layout: MapLayout, cssPxX: number, cssPxY: number): number {
  const devicePxX = cssPxX * layout.devicePixelRatio - layout.devicePxGutter;
  const devicePxY = cssPxY * layout.devicePixelRatio;
  if (devicePxX < 0 || devicePxY < 0) return -1;
  const col = Math.floor(devicePxX / layout.devicePxPitch);
  const row = Math.floor(devicePxY / layout.devicePxPitch);
  if (col >= layout.columns || row >= layout.rows) return -1;
  const cell = row * layout.columns + col;
  return cell < layout.cells ? cell : -1;
}

/** Every how many rows a gutter label fits, as a power of two (at least `cssPxMinSpacing` apart). */
export function labelRowStride(layout: MapLayout, cssPxMinSpacing: number): number {
  const devicePxMin = cssPxMinSpacing * layout.devicePixelRatio;
  return ceilPow2(Math.ceil(devicePxMin / layout.devicePxPitch));
}

/** The smallest viewport (in tables) zooming goes down to. */
export const MIN_ZOOM_TABLES = 64;
/** How much one zoom step magnifies. */
export const ZOOM_FACTOR = 8;

export interface Viewport {
  readonly tableSpaceStart: number;
  readonly tableSpaceLength: number;
}

export function wholeViewport(tableCount: number): Viewport {
  return { tableSpaceStart: 0, tableSpaceLength: tableCount };
}

/**
 * One zoom step in, centred on `tableSpaceFocus`: the viewport shrinks by ZOOM_FACTOR (to a power
 * of two of tables, at least MIN_ZOOM_TABLES) and starts at a multiple of 1/16 of its length, so
 * the gutter's addresses stay round.
 */
export function zoomIn(tableCount: number, viewport: Viewport, tableSpaceFocus: number): Viewport {
  const length = Math.min(
    tableCount,
    Math.max(MIN_ZOOM_TABLES, ceilPow2(viewport.tableSpaceLength / ZOOM_FACTOR)),
  );
  if (length >= viewport.tableSpaceLength) return viewport;
  return placeViewport(tableCount, length, tableSpaceFocus);
}

export function zoomOut(tableCount: number, viewport: Viewport, tableSpaceFocus: number): Viewport {
  const length = viewport.tableSpaceLength * ZOOM_FACTOR;
  if (length >= tableCount) return wholeViewport(tableCount);
  return placeViewport(tableCount, length, tableSpaceFocus);
}

/** A viewport of `length` tables around `tableSpaceFocus`, aligned and inside [0, tableCount). */
export function placeViewport(tableCount: number, length: number, tableSpaceFocus: number): Viewport {
  const align = Math.max(1, length / 16);
  const ideal = Math.floor((tableSpaceFocus - length / 2) / align) * align;
  const tableSpaceStart = Math.max(0, Math.min(ideal, tableCount - length));
  return { tableSpaceStart, tableSpaceLength: length };
}

/** Whether the viewport shows every table. */
export function isWhole(tableCount: number, viewport: Viewport): boolean {
  return viewport.tableSpaceStart === 0 && viewport.tableSpaceLength >= tableCount;
}

/** Keeps a viewport valid for a (possibly different) table count. */
export function clampViewport(tableCount: number, viewport: Viewport): Viewport {
  if (viewport.tableSpaceLength >= tableCount || viewport.tableSpaceLength <= 0)
    return wholeViewport(tableCount);
  const start = Math.max(0, Math.min(viewport.tableSpaceStart, tableCount - viewport.tableSpaceLength));
  return { tableSpaceStart: start, tableSpaceLength: viewport.tableSpaceLength };
}

/**
 * The zoom factor a link carries for a viewport: how many times fewer tables it shows than the
 * whole RAM (6.25 for 16,384 of 102,400 tables); null for the whole RAM.
 */
export function zoomOfViewport(tableCount: number, viewport: Viewport | null): number | null {
  if (!viewport || tableCount <= 0 || isWhole(tableCount, clampViewport(tableCount, viewport))) return null;
  return tableCount / viewport.tableSpaceLength;
}

/**
 * The viewport a link's zoom factor stands for, placed around `tableSpaceFocus` like a zoom step
 * would place it; null for the whole RAM. Lengths are the zoom steps' lengths (powers of two, at
 * least MIN_ZOOM_TABLES), so a factor written by zoomOfViewport comes back as the same viewport
 * even after the link rounded it to 6 decimals.
 */
export function viewportOfZoom(
  tableCount: number,
  zoom: number | null,
  tableSpaceFocus: number,
): Viewport | null {
  if (zoom === null || !Number.isFinite(zoom) || zoom <= 1 || tableCount <= MIN_ZOOM_TABLES) return null;
  const length = Math.max(MIN_ZOOM_TABLES, ceilPow2(Math.round(tableCount / zoom)));
  if (length >= tableCount) return null;
  return placeViewport(tableCount, length, Math.max(0, Math.min(tableCount - 1, tableSpaceFocus)));
}

/** The gutter, largest cell and height every map in the app uses, so cells line up across maps. */
export const MAP_GUTTER_CSS_PX = 52;
export const MAP_MAX_PITCH_CSS_PX = 26;

export function mapMaxHeightCssPx(mmCount: number): number {
  return mmCount > 1 ? 220 : 300;
}

/** The layout of every map of the app for a viewport and width (host maps and the balloon map). */
export function appMapLayout(
  tableCount: number,
  viewport: Viewport,
  cssPxWidth: number,
  devicePixelRatio: number,
  mmCount: number,
): MapLayout {
  return computeLayout({
    tableCount,
    tableSpaceStart: viewport.tableSpaceStart,
    tableSpaceLength: viewport.tableSpaceLength,
    cssPxWidth,
    cssPxMaxHeight: mapMaxHeightCssPx(mmCount),
    cssPxGutter: MAP_GUTTER_CSS_PX,
    cssPxMaxPitch: MAP_MAX_PITCH_CSS_PX,
    devicePixelRatio,
  });
}
