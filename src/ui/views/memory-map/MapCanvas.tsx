/**
 * One memory map on a canvas: cells from per-table bytes, overlays for the current step, the
 * balloon, the hovered and the selected table. Used for each host mm (kind "host": table class
 * bytes) and for the guest's view (kind "guest": balloon bytes 0/1/2).
 *
 * The element is focusable: arrow keys move the selected table by one cell or one row, Enter (or
 * +) zooms in around it, Escape (or −) zooms out. Handled keys do not reach the page's own
 * shortcuts. Buffers (ImageData, per-cell bytes, tiles) are kept between frames and only
 * reallocated when the layout's size changes.
 */
import {
  type KeyboardEvent,
  type MouseEvent,
  type PointerEvent,
  useEffect,
  useId,
  useLayoutEffect,
  useMemo,
  useRef,
  useState,
} from "react";
import { GiB, MiB } from "../../../base/units.ts";
import { aggregateAny, aggregatePartial, aggregateTiles, markRuns } from "./aggregate.ts";
import {
  buildBalloonTiles,
  buildTiles,
  drawStepMarks,
  fadeTiles,
  outlineBalloon,
  paintCells,
  ringRect,
  type TileSet,
} from "./draw.ts";
import { useStableArray } from "./hooks.ts";
import { cellAtCssPx, cellOfTable, labelRowStride, type MapLayout, tablesOfCell } from "./layout.ts";
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

interface Buffers {
  image: ImageData | null;
  pixels: Uint32Array | null;
  tiles: TileSet | null;
  tilesKey: string;
  faded: TileSet | null;
  fadedKey: string;
  /** The layout the pixels were last painted for. */
  paintedLayout: MapLayout | null;
  rows: Uint8Array;
  tileByCell: Uint8Array;
  activeByCell: Uint8Array;
  balloonByCell: Uint8Array;
}

function gutterLabel(bytes: number): string {
  if (bytes === 0) return "0";
  if (bytes % GiB === 0) return `${bytes / GiB} GiB`;
  if (bytes >= GiB) return `${(bytes / GiB).toFixed(2)} GiB`;
  return `${Math.round(bytes / MiB)} MiB`;
}

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
  const buffers = useRef<Buffers>({
    image: null,
    pixels: null,
    tiles: null,
    tilesKey: "",
    faded: null,
    fadedKey: "",
    paintedLayout: null,
    rows: new Uint8Array(0),
    tileByCell: new Uint8Array(0),
    activeByCell: new Uint8Array(0),
    balloonByCell: new Uint8Array(0),
  });
  const [tip, setTip] = useState<{ x: number; y: number; text: string } | null>(null);
  const descId = useId();

  useLayoutEffect(() => {
    const canvas = canvasRef.current;
    if (!canvas || !palette) return;
    const t0 = performance.now();
    const b = buffers.current;
    const w = layout.devicePxWidth;
    const h = layout.devicePxHeight;
    if (canvas.width !== w) canvas.width = w;
    if (canvas.height !== h) canvas.height = h;
    const size = Math.max(1, layout.devicePxPitch - layout.devicePxGap);
    const key = `${kind}:${size}:${palette.backgroundPixel}:${palette.pixels.slot.join(",")}`;
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
      b.balloonByCell = new Uint8Array(layout.cells);
    }
    if (b.tilesKey !== key || !b.tiles) {
      b.tiles =
        kind === "host"
          ? buildTiles(palette.pixels, size)
          : buildBalloonTiles(palette.guestPixel, palette.balloonPixel, palette.pixels.inkLight, size);
      b.tilesKey = key;
    }
    // Focus: the balloon's tables when linked, else the cells this step touched.
    b.activeByCell.fill(0, 0, layout.cells);
    const activeCount =
      activeRuns && activeRuns.length > 0
        ? markRuns(activeRuns, pageOffset, ptesPerTable, layout, 1, b.activeByCell)
        : 0;
    if (balloonOutline) aggregateAny(balloonOutline, layout, b.balloonByCell);
    const focusByCell = balloonOutline ? b.balloonByCell : activeCount > 0 ? b.activeByCell : null;
    if (focusByCell && (!b.faded || b.fadedKey !== key)) {
      b.faded = fadeTiles(b.tiles, palette.backgroundPixel, 0.62);
      b.fadedKey = key;
    }

    // Pass 1: cells.
    if (kind === "host") aggregateTiles(perTable, layout, b.tileByCell);
    else aggregatePartial(perTable, layout, b.tileByCell);
    paintCells(
      layout,
      b.tileByCell,
      b.tiles,
      b.pixels!,
      focusByCell ? { byCell: focusByCell, faded: b.faded! } : null,
      fresh,
    );
    // Only the cells' area: the gutter is cleared and drawn separately below.
    ctx.putImageData(b.image, 0, 0, layout.devicePxGutter, 0, w - layout.devicePxGutter, h);
    ctx.clearRect(0, 0, layout.devicePxGutter, h);

    // Pass 2: overlays, in devicePx.
    ctx.save();
    ctx.lineJoin = "miter";
    ctx.lineCap = "square";
    if (b.rows.length < layout.rows) b.rows = new Uint8Array(layout.rows);
    drawStepMarks(ctx, layout, b.activeByCell, activeCount, b.rows, palette);
    if (balloonOutline) outlineBalloon(ctx, layout, b.balloonByCell, palette);
    ctx.restore();
    // How long this frame's drawing took, for the UI benchmark and the e2e log.
    canvas.dataset.drawMs = (performance.now() - t0).toFixed(2);
  }, [layout, kind, perTable, palette, activeRuns, balloonOutline, pageOffset, ptesPerTable]);

  // Gutter labels as HTML: crisp text, laid out once per layout instead of drawn every frame.
  const labels = useMemo(() => {
    const out: { top: number; text: string }[] = [];
    const stride = labelRowStride(layout, 14);
    for (let row = 0; row < layout.rows; row += stride) {
      const table = layout.tableSpaceStart + row * layout.columns * layout.tablesPerCell;
      out.push({
        top: (row * layout.devicePxPitch) / layout.devicePixelRatio,
        text: gutterLabel(table * tableBytes),
      });
    }
    return out;
  }, [layout, tableBytes]);

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
    const dpr = layout.devicePixelRatio;
    const ring = (table: number | null, colour: string, width: number) => {
      if (table === null) return;
      const cell = cellOfTable(layout, table);
      if (cell < 0) return;
      const r = ringRect(layout, cell, 9 * dpr);
      ctx.strokeStyle = palette.activeHalo;
      ctx.lineWidth = (width + 2) * dpr;
      ctx.strokeRect(r.x, r.y, r.size, r.size);
      ctx.strokeStyle = colour;
      ctx.lineWidth = width * dpr;
      ctx.strokeRect(r.x, r.y, r.size, r.size);
    };
    if (hoverTable !== selectedTable) ring(hoverTable, palette.hover, 1);
    ring(selectedTable, palette.select, 2);
  }, [layout, palette, selectedTable, hoverTable]);

  // Snap the canvas to whole device pixels: a layout at x = 247.09 CSS px would resample the
  // bitmap and blur 1-pixel cells. Measured in the next animation frame, when the page's layout is
  // clean anyway, instead of forcing a layout in the middle of React's commit.
  // Measured when the layout changes or the window resizes, not on every step: each measure is a
  // layout the browser must do at once.
  const [resizes, setResizes] = useState(0);
  useEffect(() => {
    const onResize = () => setResizes((n) => n + 1);
    window.addEventListener("resize", onResize);
    return () => window.removeEventListener("resize", onResize);
  }, []);
  useEffect(() => {
    const canvas = canvasRef.current;
    const wrap = canvas?.parentElement;
    if (!canvas || !wrap || resizes < 0) return;
    const id = requestAnimationFrame(() => {
      const r = wrap.getBoundingClientRect();
      const dpr = layout.devicePixelRatio;
      const fx = (((r.left * dpr) % 1) + 1) % 1;
      const fy = (((r.top * dpr) % 1) + 1) % 1;
      const snap =
        fx > 0.001 || fy > 0.001
          ? `translate(${(fx > 0.001 ? 1 - fx : 0) / dpr}px, ${(fy > 0.001 ? 1 - fy : 0) / dpr}px)`
          : "";
      if (canvas.style.transform !== snap) canvas.style.transform = snap;
      const overlay = overlayRef.current;
      if (overlay && overlay.style.transform !== snap) overlay.style.transform = snap;
    });
    return () => cancelAnimationFrame(id);
  }, [layout, resizes]);

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
    const k = layout.tablesPerCell;
    const current = selectedTable ?? layout.tableSpaceStart;
    const last = layout.tableCount - 1;
    let next: number | null = null;
    switch (e.key) {
      case "ArrowLeft":
        next = current - k;
        break;
      case "ArrowRight":
        next = current + k;
        break;
      case "ArrowUp":
        next = current - k * layout.columns;
        break;
      case "ArrowDown":
        next = current + k * layout.columns;
        break;
      case "Home":
        next = layout.tableSpaceStart;
        break;
      case "End":
        next = layout.tableSpaceStart + layout.tableSpaceLength - 1;
        break;
      case "Enter":
      case "+":
      case "=":
        onZoom("in", current);
        break;
      case "Escape":
      case "-":
        onZoom("out", current);
        break;
      default:
        return;
    }
    e.preventDefault();
    e.stopPropagation();
    if (next !== null) {
      // Snap to the first table of the cell so repeated presses move cell by cell.
      const snapped = next - ((((next - layout.tableSpaceStart) % k) + k) % k);
      onSelect(Math.max(0, Math.min(last, selectedTable === null ? current : snapped)));
    }
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
