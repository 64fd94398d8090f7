/**
 * The current view as a standalone SVG, for slides and papers: the host memory maps at the current
 * step and zoom, drawn from the same per-table class bytes the store holds (MmSnapshot.tableClass,
 * the bytes the canvases paint), with a legend, the title, the kernel variant, the step, and the
 * current counters of each mm. rasterize.ts turns it into a PNG.
 *
 * Size: a 100 GiB guest on s390 is 102,400 page tables. One element per table would be several
 * megabytes, so each map is one <path> per colour, and a path holds one rectangle per run of equal
 * cells in a row ("M x y h w v 1 h -w z"). Guest RAM is mostly long runs (touched, ballooned,
 * never touched), so a 100 GiB map is a few hundred runs, not 102,400 cells. Beyond MAX_CELLS
 * tables in the viewport, several tables share a cell and it takes their most common class, as the
 * canvases do (memory-map/aggregate.ts); the header says how many tables a cell covers.
 *
 * Coordinates: one SVG unit is one CSS pixel of the exported image; a map is COLUMNS cells wide
 * (a power of two, so a row spans a round amount of guest RAM), each cell CELL × CELL units.
 */
import type { RunInfo, ViewState } from "../../worker/api.ts";
import { formatBytesShort, formatInt } from "../format.ts";
import { SLOT_COUNT, SLOT_KEYS, type SlotKey, slotNames, slotOf } from "../views/memory-map/classes.ts";
import { MAP_COLOURS } from "../views/memory-map/colours.ts";
import { formatCounter, plainLine, xmlText } from "./export-data.ts";

/** Cells per map at most: 512 × 256, so 100 GiB of 1 MiB tables stays one table per cell. */
export const MAX_CELLS = 512 * 256;

export interface ViewSvgTheme {
  readonly bg: string;
  readonly text: string;
  readonly muted: string;
  readonly border: string;
  /** Fill per palette slot (classes.ts SLOT_KEYS), as the --map-* CSS variables say. */
  readonly slots: Readonly<Record<SlotKey, string>>;
}

/** The maps' light colours (colours.ts, the same the page uses): the export looks like the page on a white slide. */
export const LIGHT_THEME: ViewSvgTheme = {
  bg: "#ffffff",
  text: "#1b1d21",
  muted: "#5d6470",
  border: "#d9dce1",
  slots: Object.fromEntries(SLOT_KEYS.map((k) => [k, MAP_COLOURS.light[k]])) as Record<SlotKey, string>,
};

export interface ViewSvgInput {
  readonly run: Pick<RunInfo, "title" | "kernel" | "counters" | "geometry"> &
    Partial<Pick<RunInfo, "contentClasses">>;
  readonly view: Pick<ViewState, "mms">;
  /** The maps' viewport in tableSpace (the whole RAM when not zoomed). */
  readonly viewport: { readonly tableSpaceStart: number; readonly tableSpaceLength: number };
  /** "step 3 of 4 by action: migrate". */
  readonly stepLabel: string;
  readonly link: string;
  readonly theme?: ViewSvgTheme;
}

export interface ViewSvg {
  readonly svg: string;
  readonly width: number;
  readonly height: number;
  readonly tablesPerCell: number;
}

const WIDTH = 1200;
const MARGIN = 32;
const MAP_WIDTH = 1024;
const COUNTER_KEYS = ["rssAnonBytes", "vmPteBytes", "pageTableBytes", "zeropagePtes", "hostMemBytes"];

/** Columns (a power of two, at most 512) and tables per cell for `tables` tables. */
export function gridFor(tables: number): { columns: number; tablesPerCell: number; cells: number } {
  let tablesPerCell = 1;
  while (Math.ceil(tables / tablesPerCell) > MAX_CELLS) tablesPerCell *= 2;
  const cells = Math.max(1, Math.ceil(tables / tablesPerCell));
  let columns = 1;
  while (columns < 512 && columns * columns < cells * 4) columns *= 2;
  return { columns, tablesPerCell, cells };
}

/** The palette slot of each cell: its table's slot, or the most common slot of its tables. */
export function cellSlots(
  tableClass: Uint8Array,
  start: number,
  length: number,
  tablesPerCell: number,
): Uint8Array {
  const cells = Math.max(0, Math.ceil(length / tablesPerCell));
  const out = new Uint8Array(cells);
  const counts = new Int32Array(SLOT_COUNT);
  for (let c = 0; c < cells; c++) {
    const from = start + c * tablesPerCell;
    const to = Math.min(start + length, from + tablesPerCell);
    if (tablesPerCell === 1) {
      out[c] = slotOf(tableClass[from] ?? 0xff);
      continue;
    }
    counts.fill(0);
    for (let t = from; t < to; t++) counts[slotOf(tableClass[t] ?? 0xff)]!++;
    let best = 0;
    for (let s = 1; s < SLOT_COUNT; s++) if (counts[s]! > counts[best]!) best = s;
    out[c] = best;
  }
  return out;
}

/**
 * One path `d` per slot: a rectangle per run of equal cells within a row. Returns the paths and
 * the number of runs (rectangles) drawn.
 */
export function runPaths(
  slots: Uint8Array,
  columns: number,
  cell: number,
  x0: number,
  y0: number,
): { d: string[]; runs: number } {
  const d: string[][] = Array.from({ length: SLOT_COUNT }, () => []);
  let runs = 0;
  for (let rowStart = 0; rowStart < slots.length; rowStart += columns) {
    const rowEnd = Math.min(slots.length, rowStart + columns);
    const y = y0 + ((rowStart / columns) | 0) * cell;
    let i = rowStart;
    while (i < rowEnd) {
      const s = slots[i]!;
      let j = i + 1;
      while (j < rowEnd && slots[j] === s) j++;
      const x = x0 + (i - rowStart) * cell;
      const w = (j - i) * cell;
      d[s]!.push(`M${x} ${y}h${w}v${cell}h${-w}z`);
      runs++;
      i = j;
    }
  }
  return { d: d.map((parts) => parts.join("")), runs };
}

/** The SVG of the current view (see the file comment). Valid standalone XML. */
export function viewSvg(o: ViewSvgInput): ViewSvg {
  const th = o.theme ?? LIGHT_THEME;
  const g = o.run.geometry;
  const tables = o.view.mms[0]?.tables ?? 0;
  const start = Math.max(0, Math.min(o.viewport.tableSpaceStart, tables));
  const length = Math.max(0, Math.min(o.viewport.tableSpaceLength, tables - start));
  const { columns, tablesPerCell, cells } = gridFor(length);
  const rows = Math.ceil(cells / columns);
  // Cells are whole SVG units where they fit, so edges stay crisp in the PNG.
  const cell = Math.max(1, Math.min(16, Math.floor(MAP_WIDTH / columns)));
  const mapW = columns * cell;
  const mapH = rows * cell;

  const parts: string[] = [];
  const text = (x: number, y: number, s: string, attrs = "") =>
    parts.push(`<text x="${x}" y="${y}"${attrs ? ` ${attrs}` : ""}>${xmlText(s)}</text>`);
  let y = MARGIN + 24;
  text(
    MARGIN,
    y,
    plainLine(o.run.title) || "untitled scenario",
    `font-size="22" font-weight="700" fill="${th.text}"`,
  );
  y += 24;
  text(
    MARGIN,
    y,
    `kernel ${o.run.kernel.letter} · ${o.run.kernel.id} — ${plainLine(o.run.kernel.title)}`,
    `font-size="14" fill="${th.muted}"`,
  );
  y += 20;
  text(MARGIN, y, plainLine(o.stepLabel), `font-size="14" fill="${th.text}"`);
  y += 20;
  const whole = start === 0 && length === tables;
  const range = whole
    ? "all guest RAM"
    : `zoomed: ${formatBytesShort(start * g.tableSpanBytes)} – ${formatBytesShort((start + length) * g.tableSpanBytes)}`;
  text(
    MARGIN,
    y,
    `Host memory, ${range}: ${formatInt(length)} page tables; one cell = ${tablesPerCell === 1 ? "1 page table" : `${formatInt(tablesPerCell)} page tables (their most common class)`} = ${formatBytesShort(tablesPerCell * g.tableSpanBytes)} of guest RAM; a row = ${formatBytesShort(columns * tablesPerCell * g.tableSpanBytes)}`,
    `font-size="12" fill="${th.muted}"`,
  );
  y += 16;

  o.view.mms.forEach((m) => {
    y += 22;
    const c = m.counters;
    text(
      MARGIN,
      y,
      `${m.name} host · host memory ${formatBytesShort(c.hostMemBytes)} · RssAnon ${formatBytesShort(c.rssAnonBytes)}${m.forbidsZeropage ? " · zeropage forbidden" : ""}`,
      `font-size="14" font-weight="600" fill="${th.text}"`,
    );
    y += 8;
    const slots = cellSlots(m.tableClass, start, length, tablesPerCell);
    const { d } = runPaths(slots, columns, cell, MARGIN, y);
    parts.push(`<g data-mm="${xmlText(m.name)}">`);
    parts.push(`<rect x="${MARGIN}" y="${y}" width="${mapW}" height="${mapH}" fill="${th.slots.absent}"/>`);
    d.forEach((path, s) => {
      if (path && s !== 0) parts.push(`<path fill="${th.slots[SLOT_KEYS[s]!]}" d="${path}"/>`);
    });
    parts.push(
      `<rect x="${MARGIN}" y="${y}" width="${mapW}" height="${mapH}" fill="none" stroke="${th.border}"/>`,
      "</g>",
    );
    y += mapH;
  });

  // Legend: colour, meaning, and the guest RAM each class covers per mm in the viewport.
  y += 28;
  text(MARGIN, y, "cell colour", `font-size="12" font-weight="600" fill="${th.muted}"`);
  for (const [i, m] of o.view.mms.entries())
    text(
      MARGIN + 330 + i * 130,
      y,
      m.name,
      `font-size="12" font-weight="600" fill="${th.muted}" text-anchor="end"`,
    );
  const perSlot = o.view.mms.map((m) => {
    const n = new Array<number>(SLOT_COUNT).fill(0);
    for (let t = start; t < start + length; t++) n[slotOf(m.tableClass[t] ?? 0xff)]!++;
    return n;
  });
  const names = slotNames([o.run]);
  SLOT_KEYS.forEach((key, s) => {
    y += 20;
    parts.push(
      `<rect x="${MARGIN}" y="${y - 11}" width="14" height="14" fill="${th.slots[key]}" stroke="${th.border}"/>`,
    );
    text(MARGIN + 22, y, names[key].label, `font-size="13" fill="${th.text}"`);
    o.view.mms.forEach((_, i) => {
      const n = perSlot[i]![s]!;
      text(
        MARGIN + 330 + i * 130,
        y,
        n === 0 ? "–" : formatBytesShort(n * g.tableSpanBytes),
        `font-size="13" fill="${th.text}" text-anchor="end"`,
      );
    });
  });

  // The current counters, per mm (the counters table's key rows).
  const cx = MARGIN + 330 + o.view.mms.length * 130 + 60;
  let cy = y - 20 * SLOT_COUNT;
  text(cx, cy, "counter at this step", `font-size="12" font-weight="600" fill="${th.muted}"`);
  for (const [i, m] of o.view.mms.entries())
    text(
      cx + 360 + i * 130,
      cy,
      m.name,
      `font-size="12" font-weight="600" fill="${th.muted}" text-anchor="end"`,
    );
  for (const col of o.run.counters.filter((c) => COUNTER_KEYS.includes(c.key))) {
    cy += 20;
    text(cx, cy, col.label, `font-size="13" fill="${th.text}"`);
    for (const [i, m] of o.view.mms.entries())
      text(
        cx + 360 + i * 130,
        cy,
        formatCounter(col, m.counters[col.key]),
        `font-size="13" fill="${th.text}" text-anchor="end" font-family="ui-monospace, Menlo, Consolas, monospace"`,
      );
  }
  y = Math.max(y, cy) + 30;
  text(
    MARGIN,
    y,
    o.link,
    `font-size="11" fill="${th.muted}" font-family="ui-monospace, Menlo, Consolas, monospace"`,
  );
  const height = Math.ceil(y + MARGIN);
  const width = Math.max(WIDTH, MARGIN * 2 + mapW, cx + 360 + o.view.mms.length * 130 + MARGIN);

  const svg = [
    `<?xml version="1.0" encoding="UTF-8"?>`,
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif" shape-rendering="crispEdges">`,
    `<title>${xmlText(`Zeropage Lab: ${plainLine(o.run.title)} · ${o.run.kernel.id} · ${plainLine(o.stepLabel)}`)}</title>`,
    `<rect width="${width}" height="${height}" fill="${th.bg}"/>`,
    ...parts,
    "</svg>",
    "",
  ].join("\n");
  return { svg, width, height, tablesPerCell };
}
