/**
 * SVG path strings of the fan-in (d3-path, pure): the bands from the PTE grid to the frames, the
 * arrows of PTEs that left a shared frame, and the selected PTE's own arrow. Coordinates come from
 * fan-in.ts's layout, in SVG user units.
 */
import { path as d3path, linkHorizontal } from "d3";
import { type Band, type FanInLayout, FRAME_SVG_PX, OWN_COLUMNS, ownFrameRect, type Rect } from "./fan-in.ts";

/** A band from the grid's right edge (x0) to the frames' left edge (x1), tapering as `b` says. */
export function bandPath(x0: number, x1: number, b: Band): string {
  const p = d3path();
  const mx = (x0 + x1) / 2;
  p.moveTo(x0, b.sy0);
  p.bezierCurveTo(mx, b.sy0, mx, b.ty0, x1, b.ty0);
  p.lineTo(x1, b.ty1);
  p.bezierCurveTo(mx, b.ty1, mx, b.sy1, x0, b.sy1);
  p.closePath();
  return p.toString();
}

/**
 * One unshare or COW fault in the fan-in: the arrow from the shared frame a PTE left to the frame
 * of its own it got (do_wp_page → wp_page_copy for a write to the zeropage or a KSM page; the
 * s390 storage-key unshare pass, gmap's __s390_unshare_zeropages, for zeropages placed before).
 */
export interface UnshareArrow {
  readonly slot: number;
  readonly from: "zeropage" | "ksm";
  /** SVG path from the shared frame's bottom edge to the new frame's top edge. */
  readonly d: string;
  /** The arrowhead, pointing down into the new frame. */
  readonly head: string;
  /** Stagger, in seconds, so the arrows leave the shared frame one after another. */
  readonly delay: number;
}

/** Seconds one arrow takes to draw, and the longest stagger of the last arrow. */
const ARROW_DRAW_S = 0.7;
const ARROW_STAGGER_S = 0.6;

export function unshareArrows(
  fan: FanInLayout,
  leaving: readonly { slot: number; from: "zeropage" | "ksm" }[],
): UnshareArrow[] {
  const out: UnshareArrow[] = [];
  const n = leaving.length;
  const step = n > 1 ? Math.min(0.03, ARROW_STAGGER_S / (n - 1)) : 0;
  for (let i = 0; i < n; i++) {
    const l = leaving[i]!;
    const src = l.from === "zeropage" ? fan.zeroFrame : fan.ksmFrame;
    const own = fan.ownIndexBySlot[l.slot] ?? -1;
    // A KSM page that lost its last PTE is no longer drawn: nothing to leave from.
    if (!src || own < 0 || !fan.ownBlock) continue;
    const dst = ownFrameRect(fan, own, OWN_COLUMNS, FRAME_SVG_PX);
    const sx = src.x + src.w / 2;
    const sy = src.y + src.h;
    const ex = dst.x + dst.w / 2;
    const ey = dst.y - 0.5;
    const bend = Math.max(10, (ey - sy) * 0.55);
    const p = d3path();
    p.moveTo(sx, sy);
    p.bezierCurveTo(sx, sy + bend, ex, ey - bend, ex, ey - 4);
    const h = d3path();
    h.moveTo(ex - 3, ey - 5);
    h.lineTo(ex + 3, ey - 5);
    h.lineTo(ex, ey);
    h.closePath();
    out.push({ slot: l.slot, from: l.from, d: p.toString(), head: h.toString(), delay: i * step });
  }
  return out;
}

/** Seconds after the step until each new own frame appears: when its arrow arrives. By own-frame index. */
export function arrivalByOwnFrame(fan: FanInLayout, arrows: readonly UnshareArrow[]): Map<number, number> {
  return new Map(arrows.map((a) => [fan.ownIndexBySlot[a.slot]!, a.delay + ARROW_DRAW_S * 0.8]));
}

const link = linkHorizontal<{ source: [number, number]; target: [number, number] }, [number, number]>();

/** The selected PTE's arrow: from the middle of its cell to the left edge of its frame. */
export function selectedArrowPath(cell: Rect, frame: Rect): string {
  return (
    link({
      source: [cell.x + cell.w / 2, cell.y + cell.h / 2],
      target: [frame.x - 1, frame.y + frame.h / 2],
    }) ?? ""
  );
}
