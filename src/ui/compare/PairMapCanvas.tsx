/**
 * One side's host memory map in compare mode: the cells of the single view's maps (same tiles,
 * same layout arithmetic, from views/memory-map/), plus the diff map: with `diff` set, cells whose
 * page tables are the same on both sides are faded and the differing ones are outlined.
 *
 * Coordinate spaces as in memory-map/layout.ts: tableSpace, cellSpace, cssPx, devicePx.
 */
import { type PointerEvent, useLayoutEffect, useRef, useState } from "react";
import { aggregateAny, aggregatePartial, aggregateTiles, markRuns } from "../views/memory-map/aggregate.ts";
import {
  buildTiles,
  drawStepMarks,
  fadeTiles,
  outlineBalloon,
  outlineCells,
  paintCells,
  ringRect,
  type TileSet,
} from "../views/memory-map/draw.ts";
import { cellAtCssPx, cellOfTable, type MapLayout, tablesOfCell } from "../views/memory-map/layout.ts";
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

/** Up to this many differing cells, each gets a ring. */
const FEW_CELLS = 64;

interface Buffers {
  image: ImageData | null;
  pixels: Uint32Array | null;
  tiles: TileSet | null;
  faded: TileSet | null;
  tilesKey: string;
  tileByCell: Uint8Array;
  markByCell: Uint8Array;
  rows: Uint8Array;
  palette: MapPalette | null;
}

export function PairMapCanvas(props: PairMapCanvasProps) {
  const { layout, tableClass, activeRuns, diff, selectedTable, palette } = props;
  const balloon = diff ? null : (props.balloon ?? null);
  const canvasRef = useRef<HTMLCanvasElement | null>(null);
  const b = useRef<Buffers>({
    image: null,
    pixels: null,
    tiles: null,
    faded: null,
    tilesKey: "",
    tileByCell: new Uint8Array(0),
    markByCell: new Uint8Array(0),
    rows: new Uint8Array(0),
    palette: null,
  });
  const [tip, setTip] = useState<string | null>(null);

  useLayoutEffect(() => {
    const canvas = canvasRef.current;
    if (!canvas || !palette) return;
    const buf = b.current;
    const w = layout.devicePxWidth;
    const h = layout.devicePxHeight;
    if (canvas.width !== w) canvas.width = w;
    if (canvas.height !== h) canvas.height = h;
    const ctx = canvas.getContext("2d");
    if (!ctx) return;
    if (!buf.image || buf.image.width !== w || buf.image.height !== h) {
      buf.image = ctx.createImageData(w, h);
      buf.pixels = new Uint32Array(buf.image.data.buffer);
    }
    if (buf.tileByCell.length < layout.cells) {
      buf.tileByCell = new Uint8Array(layout.cells);
      buf.markByCell = new Uint8Array(layout.cells);
    }
    const size = Math.max(1, layout.devicePxPitch - layout.devicePxGap);
    if (buf.tilesKey !== String(size) || buf.palette !== palette || !buf.tiles || !buf.faded) {
      buf.tiles = buildTiles(palette.pixels, size);
      buf.faded = fadeTiles(buf.tiles, palette.backgroundPixel, 0.75);
      buf.tilesKey = String(size);
      buf.palette = palette;
    }
    aggregateTiles(tableClass, layout, buf.tileByCell);
    const dpr = layout.devicePixelRatio;
    // A cell differs if any of its tables does (aggregatePartial: 0 none, 1 some, 2 all); the
    // others are painted from the faded tiles (the maps' focus + context painting).
    if (diff) aggregatePartial(diff, layout, buf.markByCell);
    else if (balloon) aggregateAny(balloon, layout, buf.markByCell);
    paintCells(
      layout,
      buf.tileByCell,
      buf.tiles,
      buf.pixels!,
      diff || balloon ? { byCell: buf.markByCell, faded: buf.faded! } : null,
    );
    ctx.putImageData(buf.image, 0, 0);
    ctx.save();
    if (diff) {
      // Differing cells keep their colours (the rest is faded). Large cells also get an outline;
      // a few differing cells get rings, so that a single one among 100,000 can be found.
      let marked = 0;
      for (let c = 0; c < layout.cells; c++) {
        buf.markByCell[c] = buf.markByCell[c]! > 0 ? 1 : 0;
        marked += buf.markByCell[c]!;
      }
      const stroke = (width: number) => {
        // A dark halo (light in the dark theme): yellow alone is faint on the faded cells.
        ctx.strokeStyle = palette.active;
        ctx.lineWidth = (width + 1.5) * dpr;
        ctx.stroke();
        ctx.strokeStyle = props.diffColour;
        ctx.lineWidth = width * dpr;
        ctx.stroke();
      };
      if (layout.devicePxPitch >= 8 * dpr) {
        ctx.beginPath();
        if (outlineCells(ctx, layout, buf.markByCell, 1) > 0) stroke(2);
      }
      if (marked > 0 && marked <= FEW_CELLS) {
        ctx.beginPath();
        for (let c = 0; c < layout.cells; c++) {
          if (!buf.markByCell[c]) continue;
          const r = ringRect(layout, c, 16 * dpr);
          ctx.rect(r.x, r.y, r.size, r.size);
        }
        stroke(2.5);
      }
    }
    if (balloon) outlineBalloon(ctx, layout, buf.markByCell, palette);
    if (activeRuns && activeRuns.length > 0) {
      // The single view's step marks (gutter marks; outlines only on cells big enough to carry a
      // line), not a dashed line around every touched cell: at the balloon step that was 40,000
      // tiny cells under black dashes.
      buf.markByCell.fill(0, 0, layout.cells);
      const count = markRuns(activeRuns, props.pageOffset, props.ptesPerTable, layout, 1, buf.markByCell);
      if (buf.rows.length < layout.rows) buf.rows = new Uint8Array(layout.rows);
      drawStepMarks(ctx, layout, buf.markByCell, count, buf.rows, palette);
    }
    if (selectedTable !== null) {
      const cell = cellOfTable(layout, selectedTable);
      if (cell >= 0) {
        const r = ringRect(layout, cell, 9 * dpr);
        ctx.strokeStyle = palette.activeHalo;
        ctx.lineWidth = 4 * dpr;
        ctx.strokeRect(r.x, r.y, r.size, r.size);
        ctx.strokeStyle = palette.select;
        ctx.lineWidth = 2 * dpr;
        ctx.strokeRect(r.x, r.y, r.size, r.size);
      }
    }
    ctx.restore();
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
    props.diffColour,
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
