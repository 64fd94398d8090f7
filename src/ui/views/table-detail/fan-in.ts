/**
 * Geometry of the zeropage fan-in diagram, in SVG user units (svgPx). Pure: no DOM, no React.
 *
 *   PTE grid (left)          bands                 frames (right)
 *   16 columns × rows   ──── row r's zeropage ───▶ [page table page]  the table itself: 4 KiB
 *                       ──── PTEs taper into ────▶ [shared zeropage]  one frame for the whole host
 *                       ──── one point       ────▶ [KSM page]
 *                       ════ own frames keep ════▶ [■■■■■■■■■■■■■■■■] one 4 KiB frame per PTE
 *                            their width
 *
 * Every frame square is the same size: one square = one 4 KiB frame, so the cost of a table is
 * its area on the right. Bands leave each grid row from a slice of its right edge proportional to
 * how many of the row's PTEs map that kind of frame. Bands into a shared frame converge to a
 * point (many PTEs, one frame); bands into the own-frames block keep their width (one frame each).
 */

export type FrameKind = "none" | "zeropage" | "own" | "ksm";

export interface FanInInput {
  /** Frame kind per PTE slot (run.pteStates[state].frame). */
  readonly frameBySlot: readonly FrameKind[];
  readonly columns: number;
  readonly svgPxCell: number;
  readonly svgPxFrame: number;
  /** Frames per row in the own-frames block. */
  readonly ownColumns: number;
  /** Horizontal room for the bands. */
  readonly svgPxBandWidth: number;
}

export interface Rect {
  readonly x: number;
  readonly y: number;
  readonly w: number;
  readonly h: number;
}

export interface Band {
  readonly kind: "zeropage" | "ksm" | "own";
  readonly row: number;
  readonly count: number;
  /** Source slice on the grid's right edge and target slice on the frame group's left edge. */
  readonly sy0: number;
  readonly sy1: number;
  readonly ty0: number;
  readonly ty1: number;
}

export interface FanInLayout {
  readonly rows: number;
  readonly grid: Rect;
  readonly framesX: number;
  readonly tablePage: Rect;
  readonly zeroFrame: Rect;
  readonly ksmFrame: Rect | null;
  readonly ownBlock: Rect | null;
  /** Index of each slot's own frame in the block, or -1. */
  readonly ownIndexBySlot: Int16Array;
  readonly ownCount: number;
  readonly counts: Readonly<Record<FrameKind, number>>;
  readonly bands: readonly Band[];
  readonly width: number;
  readonly height: number;
}

/** Space above each frame group for its label. */
export const LABEL_SVG_PX = 26;
const GROUP_GAP_SVG_PX = 8;

export function cellRect(layout: FanInLayout, slot: number, columns: number, svgPxCell: number): Rect {
  const row = Math.floor(slot / columns);
  const col = slot - row * columns;
  return {
    x: layout.grid.x + col * svgPxCell,
    y: layout.grid.y + row * svgPxCell,
    w: svgPxCell,
    h: svgPxCell,
  };
}

export function ownFrameRect(
  layout: FanInLayout,
  ownIndex: number,
  ownColumns: number,
  svgPxFrame: number,
): Rect {
  const b = layout.ownBlock!;
  const pitch = svgPxFrame + 2;
  const row = Math.floor(ownIndex / ownColumns);
  const col = ownIndex - row * ownColumns;
  return { x: b.x + col * pitch, y: b.y + row * pitch, w: svgPxFrame, h: svgPxFrame };
}

export function layoutFanIn(input: FanInInput): FanInLayout {
  const { frameBySlot, columns, svgPxCell: cell, svgPxFrame: frame, ownColumns } = input;
  const n = frameBySlot.length;
  const rows = Math.ceil(n / columns);
  const counts: Record<FrameKind, number> = { none: 0, zeropage: 0, own: 0, ksm: 0 };
  const ownIndexBySlot = new Int16Array(n).fill(-1);
  for (let i = 0; i < n; i++) {
    const k = frameBySlot[i]!;
    if (k === "own") ownIndexBySlot[i] = counts.own;
    counts[k]++;
  }
  const grid: Rect = { x: 0, y: LABEL_SVG_PX, w: columns * cell, h: rows * cell };
  const framesX = grid.w + input.svgPxBandWidth;
  const pitch = frame + 2;

  // Frame groups, stacked: the page-table page, the shared zeropage, a KSM page, own frames.
  let y = grid.y;
  const tablePage: Rect = { x: framesX, y, w: frame, h: frame };
  y += tablePage.h + GROUP_GAP_SVG_PX + LABEL_SVG_PX;
  const zeroFrame: Rect = { x: framesX, y, w: frame, h: frame };
  y += zeroFrame.h + GROUP_GAP_SVG_PX;
  let ksmFrame: Rect | null = null;
  if (counts.ksm > 0) {
    y += LABEL_SVG_PX;
    ksmFrame = { x: framesX, y, w: frame, h: frame };
    y += ksmFrame.h + GROUP_GAP_SVG_PX;
  }
  let ownBlock: Rect | null = null;
  if (counts.own > 0) {
    y += LABEL_SVG_PX;
    const ownRows = Math.ceil(counts.own / ownColumns);
    ownBlock = { x: framesX, y, w: Math.min(counts.own, ownColumns) * pitch - 2, h: ownRows * pitch - 2 };
    y += ownBlock.h + GROUP_GAP_SVG_PX;
  }

  const bands: Band[] = [];
  let ownBefore = 0;
  for (let r = 0; r < rows; r++) {
    let z = 0;
    let k = 0;
    let o = 0;
    for (let c = 0; c < columns; c++) {
      const kind = frameBySlot[r * columns + c];
      if (kind === "zeropage") z++;
      else if (kind === "ksm") k++;
      else if (kind === "own") o++;
    }
    const top = grid.y + r * cell;
    const unit = cell / columns;
    let sy = top;
    const mid = (f: Rect) => f.y + f.h / 2;
    if (z > 0) {
      bands.push({
        kind: "zeropage",
        row: r,
        count: z,
        sy0: sy,
        sy1: sy + z * unit,
        ty0: mid(zeroFrame) - 1,
        ty1: mid(zeroFrame) + 1,
      });
      sy += z * unit;
    }
    if (k > 0 && ksmFrame) {
      bands.push({
        kind: "ksm",
        row: r,
        count: k,
        sy0: sy,
        sy1: sy + k * unit,
        ty0: mid(ksmFrame) - 1,
        ty1: mid(ksmFrame) + 1,
      });
      sy += k * unit;
    }
    if (o > 0 && ownBlock) {
      const t0 = ownBlock.y + (ownBefore / counts.own) * ownBlock.h;
      const t1 = ownBlock.y + ((ownBefore + o) / counts.own) * ownBlock.h;
      bands.push({ kind: "own", row: r, count: o, sy0: sy, sy1: sy + o * unit, ty0: t0, ty1: t1 });
      ownBefore += o;
    }
  }

  const width = framesX + Math.max(ownColumns * pitch, frame + 290);
  const height = Math.max(grid.y + grid.h, y) + 4;
  return {
    rows,
    grid,
    framesX,
    tablePage,
    zeroFrame,
    ksmFrame,
    ownBlock,
    ownIndexBySlot,
    ownCount: counts.own,
    counts,
    bands,
    width,
    height,
  };
}

/** Slots whose frame went from a shared one (zeropage, KSM) to their own: unshare or COW. */
export function departures(
  before: readonly FrameKind[] | null,
  after: readonly FrameKind[],
): { slot: number; from: "zeropage" | "ksm" }[] {
  if (!before || before.length !== after.length) return [];
  const out: { slot: number; from: "zeropage" | "ksm" }[] = [];
  for (let i = 0; i < after.length; i++) {
    const b = before[i];
    if ((b === "zeropage" || b === "ksm") && after[i] === "own") out.push({ slot: i, from: b });
  }
  return out;
}

/**
 * Where the departed PTEs pointed before: for each grid row, the slice of the previous step's
 * shared-frame band that belonged to PTEs which now have frames of their own. Drawn as ghost
 * bands into the zeropage (or KSM page) they left.
 */
export function ghostBands(
  previous: FanInLayout,
  leaving: readonly { slot: number; from: "zeropage" | "ksm" }[],
  columns: number,
  svgPxCell: number,
): Band[] {
  const byRow = new Map<string, number>();
  for (const l of leaving) {
    const key = `${l.from}:${Math.floor(l.slot / columns)}`;
    byRow.set(key, (byRow.get(key) ?? 0) + 1);
  }
  const unit = svgPxCell / columns;
  const out: Band[] = [];
  for (const b of previous.bands) {
    if (b.kind === "own") continue;
    const n = byRow.get(`${b.kind}:${b.row}`);
    if (!n) continue;
    out.push({ ...b, count: n, sy1: b.sy0 + n * unit });
  }
  return out;
}

/** The page-table view's fan-in: PTEs per grid row, the frame square, own frames per row. */
export const PTE_COLUMNS = 16;
export const FRAME_SVG_PX = 11;
export const OWN_COLUMNS = 16;
const BAND_SVG_PX = 120;

/** A PTE cell's size: larger when the table has fewer PTEs (s390's 256 against x86_64's 512). */
export function cellSvgPxFor(ptes: number): number {
  return ptes <= 256 ? 18 : 13;
}

/** The fan-in of one table's frames as the page-table view draws it. */
export function layoutTableFanIn(frameBySlot: readonly FrameKind[], svgPxCell: number): FanInLayout {
  return layoutFanIn({
    frameBySlot,
    columns: PTE_COLUMNS,
    svgPxCell,
    svgPxFrame: FRAME_SVG_PX,
    ownColumns: OWN_COLUMNS,
    svgPxBandWidth: BAND_SVG_PX,
  });
}

/** The frame a slot's PTE points at in the layout, or null for a PTE that maps nothing. */
export function frameRectOf(layout: FanInLayout, frames: readonly FrameKind[], slot: number): Rect | null {
  const k = frames[slot];
  if (k === "zeropage") return layout.zeroFrame;
  if (k === "ksm") return layout.ksmFrame;
  if (k === "own") return ownFrameRect(layout, layout.ownIndexBySlot[slot]!, OWN_COLUMNS, FRAME_SVG_PX);
  return null;
}

/**
 * Where the departed PTEs pointed one step ago, as ghost bands of the previous layout aimed at
 * where the shared frames are now: they sit at the same place in both layouts unless a KSM group
 * appeared or went. Empty without a previous step or departures.
 */
export function aimedGhostBands(
  prevFrames: readonly FrameKind[] | null,
  leaving: readonly { slot: number; from: "zeropage" | "ksm" }[],
  svgPxCell: number,
  now: FanInLayout,
): Band[] {
  if (!prevFrames || leaving.length === 0) return [];
  const before = layoutTableFanIn(prevFrames, svgPxCell);
  return ghostBands(before, leaving, PTE_COLUMNS, svgPxCell).map((b) => {
    const target = b.kind === "ksm" ? (now.ksmFrame ?? before.ksmFrame) : now.zeroFrame;
    const mid = target ? target.y + target.h / 2 : b.ty0;
    return { ...b, ty0: mid - 1, ty1: mid + 1 };
  });
}
