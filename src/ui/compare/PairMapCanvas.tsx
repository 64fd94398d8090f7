/**
 * One side's host memory map in compare mode, painted by the single view's paintMap
 * (views/memory-map/paint.ts: same tiles, same layout arithmetic), plus the diff map: with `diff`
 * set, cells whose page tables are the same on both sides are faded and the differing ones are
 * outlined.
 *
 * Coordinate spaces as in memory-map/layout.ts: tableSpace, cellSpace, cssPx, devicePx.
 */
import { type PointerEvent, useLayoutEffect, useRef, useState } from "react";
import { cellAtCssPx, type MapLayout, tablesOfCell } from "../views/memory-map/layout.ts";
import { type MapFocus, mapBuffers, paintMap } from "../views/memory-map/paint.ts";
import type { MapPalette } from "../views/memory-map/palette.ts";

export interface PairMapCanvasProps {
  readonly label: string;
  readonly layout: MapLayout;
  readonly tableClass: Uint8Array;
  readonly ptesPerTable: number;
  readonly pageOffset: number;
  /** Pages the current step touched on this side's mm. */
  readonly activeRuns: readonly number[] | null;
  /** Per table 0 same, 1 differs, 2 only on this side; null: diff map off. */
  readonly diff: Uint8Array | null;
  /**
   * Per-table balloon bytes (MmSnapshot.balloon) to outline, the other tables faded; null or
   * absent: not outlined. Ignored while the diff map is on.
   */
  readonly balloon?: Uint8Array | null;
  readonly selectedTable: number | null;
  readonly palette: MapPalette | null;
  readonly diffColour: string;
  readonly describeCells: (first: number, end: number) => string;
  readonly onSelect: (table: number) => void;
}

/** Cells out of focus fade this far towards the panel (further than the single view's). */
const FADE = 0.75;

export function PairMapCanvas(props: PairMapCanvasProps) {
  const { layout, tableClass, activeRuns, diff, selectedTable, palette, diffColour } = props;
  const balloon = diff ? null : (props.balloon ?? null);
  const canvasRef = useRef<HTMLCanvasElement | null>(null);
  const [buffers] = useState(mapBuffers);
  const [tip, setTip] = useState<string | null>(null);

  useLayoutEffect(() => {
    const canvas = canvasRef.current;
    if (!canvas || !palette) return;
    const focus: MapFocus | null = diff
      ? { kind: "diff", perTable: diff, colour: diffColour }
      : balloon
        ? { kind: "balloon", perTable: balloon }
        : null;
    paintMap(canvas, layout, palette, buffers, {
      kind: "host",
      perTable: tableClass,
      activeRuns,
      pageOffset: props.pageOffset,
      ptesPerTable: props.ptesPerTable,
      focus,
      fade: FADE,
      // The step's marks over the focus's outline, and the selection on the same canvas.
      overlays: ["focus", "step", { table: selectedTable, colour: palette.select, width: 2 }],
      lineCap: "butt",
    });
  }, [
    layout,
    tableClass,
    activeRuns,
    diff,
    balloon,
    selectedTable,
    palette,
    props.pageOffset,
    props.ptesPerTable,
    diffColour,
    buffers,
  ]);

  const cellAt = (e: PointerEvent<HTMLCanvasElement>): number => {
    const r = e.currentTarget.getBoundingClientRect();
    return cellAtCssPx(layout, e.clientX - r.left, e.clientY - r.top);
  };

  return (
    <div className="cmp-canvas-wrap">
      <canvas
        ref={canvasRef}
        className="cmp-canvas"
        style={{ width: `${layout.cssPxWidth}px`, height: `${layout.cssPxHeight}px` }}
        role="img"
        aria-label={props.label}
        title={tip ?? undefined}
        onPointerMove={(e) => {
          const cell = cellAt(e);
          if (cell < 0) return setTip(null);
          const [first, end] = tablesOfCell(layout, cell);
          setTip(props.describeCells(first, end));
        }}
        onPointerLeave={() => setTip(null)}
        onClick={(e) => {
          const cell = cellAt(e as unknown as PointerEvent<HTMLCanvasElement>);
          if (cell >= 0) props.onSelect(tablesOfCell(layout, cell)[0]);
        }}
      />
    </div>
  );
}
