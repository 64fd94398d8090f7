/**
 * One memory map on a canvas: cells from per-table bytes, overlays for the current step, the
 * balloon, the hovered and the selected table. Used for each host mm (kind "host": table class
 * bytes) and for the guest's view (kind "guest": balloon bytes 0/1/2).
 *
 * The element is focusable: arrow keys move the selected table by one cell or one row, Enter (or
 * +) zooms in around it, Escape (or −) zooms out. Handled keys do not reach the page's own
 * shortcuts. The painting is paint.ts's paintMap, shared with compare's maps; the keys are keys.ts.
 */
import {
  type KeyboardEvent,
  type MouseEvent,
  type PointerEvent,
  useId,
  useLayoutEffect,
  useMemo,
  useRef,
  useState,
} from "react";
import { gutterLabels } from "./gutter.ts";
import { useDevicePixelSnap, useStableArray } from "./hooks.ts";
import { mapKeyAction } from "./keys.ts";
import { cellAtCssPx, type MapLayout, tablesOfCell } from "./layout.ts";
import { drawTableRing, type MapScene, mapBuffers, paintMap } from "./paint.ts";
import type { MapPalette } from "./palette.ts";

export interface MapCanvasProps {
  /** Accessible name, e.g. "source host memory map". */
  readonly label: string;
  readonly kind: "host" | "guest";
  readonly layout: MapLayout;
  /** Per table: class byte (host) or balloon byte 0/1/2 (guest). */
  readonly perTable: Uint8Array;
  /** The worker's content hash of perTable (MmSnapshot.tableClassHash or balloonHash). */
  readonly perTableKey: number;
  readonly ptesPerTable: number;
  readonly pageOffset: number;
  /** Guest RAM one table maps, for the gutter's addresses. */
  readonly tableBytes: number;
  /** Page runs the current step touched on this mm (flat [first, count] pairs). */
  readonly activeRuns: readonly number[] | null;
  /** Per-table balloon bytes to outline (host maps, when linked), or null. */
  readonly balloonOutline: Uint8Array | null;
  /** The worker's content hash of balloonOutline (MmSnapshot.balloonHash). */
  readonly balloonOutlineKey: number;
  readonly selectedTable: number | null;
  readonly hoverTable: number | null;
  readonly palette: MapPalette | null;
  /** Text for the tooltip of the cell covering tables [first, end). */
  readonly describeCells: (first: number, end: number) => string;
  readonly onSelect: (table: number) => void;
  readonly onHover: (table: number | null) => void;
  readonly onZoom: (direction: "in" | "out", focusTable: number) => void;
  /** Extra text for screen readers (the selected table, the keys). */
  readonly description: string;
}

/** Cells out of focus fade this far towards the panel. */
const FADE = 0.62;

export function MapCanvas(props: MapCanvasProps) {
  const {
    label,
    kind,
    layout,
    ptesPerTable,
    pageOffset,
    tableBytes,
    selectedTable,
    hoverTable,
    palette,
    describeCells,
    onSelect,
    onHover,
    onZoom,
    description,
  } = props;
  // Same content, same reference: the paint effect below then skips steps that changed nothing here.
  const perTable = useStableArray(props.perTable, props.perTableKey);
  const activeRuns = useStableArray(props.activeRuns, props.activeRuns ? props.activeRuns.join(",") : "none");
  const balloonOutline = useStableArray(
    props.balloonOutline,
    props.balloonOutline ? props.balloonOutlineKey : -1,
  );
  const canvasRef = useRef<HTMLCanvasElement | null>(null);
  const overlayRef = useRef<HTMLCanvasElement | null>(null);
  const [buffers] = useState(mapBuffers);
  const [tip, setTip] = useState<{ x: number; y: number; text: string } | null>(null);
  const descId = useId();

  useLayoutEffect(() => {
    const canvas = canvasRef.current;
    if (!canvas || !palette) return;
    const t0 = performance.now();
    // Focus: the balloon's tables when linked, else the cells this step touched.
    const scene: MapScene = {
      kind,
      perTable,
      activeRuns,
      pageOffset,
      ptesPerTable,
      focus: balloonOutline ? { kind: "balloon", perTable: balloonOutline } : { kind: "step" },
      fade: FADE,
      overlays: ["step", "focus"],
      lineCap: "square",
    };
    paintMap(canvas, layout, palette, buffers, scene);
    // How long this frame's drawing took, for the UI benchmark and the e2e log.
    canvas.dataset.drawMs = (performance.now() - t0).toFixed(2);
  }, [layout, kind, perTable, palette, activeRuns, balloonOutline, pageOffset, ptesPerTable, buffers]);

  // Gutter labels as HTML: crisp text, laid out once per layout instead of drawn every frame.
  const labels = useMemo(() => gutterLabels(layout, tableBytes), [layout, tableBytes]);

  // The rings live on their own canvas: moving the pointer redraws two squares, not the map.
  useLayoutEffect(() => {
    const overlay = overlayRef.current;
    if (!overlay || !palette) return;
    const w = layout.devicePxWidth;
    const h = layout.devicePxHeight;
    if (overlay.width !== w) overlay.width = w;
    if (overlay.height !== h) overlay.height = h;
    const ctx = overlay.getContext("2d");
    if (!ctx) return;
    ctx.clearRect(0, 0, w, h);
    if (hoverTable !== selectedTable)
      drawTableRing(ctx, layout, { table: hoverTable, colour: palette.hover, width: 1 }, palette.activeHalo);
    drawTableRing(
      ctx,
      layout,
      { table: selectedTable, colour: palette.select, width: 2 },
      palette.activeHalo,
    );
  }, [layout, palette, selectedTable, hoverTable]);

  useDevicePixelSnap([canvasRef, overlayRef], layout);

  // Clear the tooltip when the layout changes under a still pointer.
  const [tipLayout, setTipLayout] = useState(layout);
  if (tipLayout !== layout) {
    setTipLayout(layout);
    setTip(null);
  }

  const cellFromEvent = (e: MouseEvent<HTMLCanvasElement>): number => {
    const rect = e.currentTarget.getBoundingClientRect();
    const scaleX = layout.cssPxWidth / (rect.width || layout.cssPxWidth);
    return cellAtCssPx(layout, (e.clientX - rect.left) * scaleX, (e.clientY - rect.top) * scaleX);
  };

  const onPointerMove = (e: PointerEvent<HTMLCanvasElement>) => {
    const cell = cellFromEvent(e);
    if (cell < 0) {
      onHover(null);
      setTip(null);
      return;
    }
    const [first, end] = tablesOfCell(layout, cell);
    onHover(first);
    const rect = e.currentTarget.getBoundingClientRect();
    setTip({ x: e.clientX - rect.left, y: e.clientY - rect.top, text: describeCells(first, end) });
  };

  const onPointerLeave = () => {
    onHover(null);
    setTip(null);
  };

  const onClick = (e: MouseEvent<HTMLCanvasElement>) => {
    const cell = cellFromEvent(e);
    if (cell < 0) return;
    onSelect(tablesOfCell(layout, cell)[0]);
  };

  const onKeyDown = (e: KeyboardEvent<HTMLCanvasElement>) => {
    const action = mapKeyAction(layout, selectedTable, e.key);
    if (!action) return;
    e.preventDefault();
    e.stopPropagation();
    if ("zoom" in action) onZoom(action.zoom, action.focusTable);
    else onSelect(action.select);
  };

  return (
    <div className="map-canvas-wrap" style={{ width: `${layout.cssPxWidth}px` }}>
      {/* biome-ignore lint/a11y/noInteractiveElementToNoninteractiveRole: a canvas widget with its own keyboard model; "application" tells screen readers to pass keys through */}
      <canvas
        ref={canvasRef}
        className="map-canvas"
        style={{ width: `${layout.cssPxWidth}px`, height: `${layout.cssPxHeight}px` }}
        role="application"
        aria-roledescription="memory map"
        aria-label={label}
        aria-describedby={descId}
        tabIndex={0}
        onKeyDown={onKeyDown}
        onPointerMove={onPointerMove}
        onPointerLeave={onPointerLeave}
        onClick={onClick}
        data-cells={layout.cells}
        data-tables-per-cell={layout.tablesPerCell}
        data-columns={layout.columns}
        data-first-table={layout.tableSpaceStart}
        data-css-pitch={layout.devicePxPitch / layout.devicePixelRatio}
        data-css-gutter={layout.devicePxGutter / layout.devicePixelRatio}
      />
      <div
        className="map-gutter"
        aria-hidden="true"
        style={{ width: `${layout.devicePxGutter / layout.devicePixelRatio - 8}px` }}
      >
        {labels.map((l) => (
          <span key={l.top} style={{ top: `${l.top}px` }}>
            {l.text}
          </span>
        ))}
      </div>
      <canvas
        ref={overlayRef}
        className="map-overlay"
        style={{ width: `${layout.cssPxWidth}px`, height: `${layout.cssPxHeight}px` }}
      />
      {tip && (
        <div
          className="map-tip"
          aria-hidden="true"
          style={{
            left: `${Math.min(tip.x + 12, Math.max(0, layout.cssPxWidth - 220))}px`,
            top: `${tip.y + 14}px`,
          }}
        >
          {tip.text}
        </div>
      )}
      <p id={descId} className="zl-sr-only">
        {description}
      </p>
    </div>
  );
}
