/**
 * The host memory maps: for each mm (the migration source, and the destination when the trace has
 * one), guest RAM as QEMU's host process maps it, one cell per page table, coloured by what the
 * table's PTEs hold (the worker's class byte). The cells the current step touched are outlined;
 * the selected table is ringed on its map (and the same table on the other map, for comparison).
 *
 * Both maps share one viewport in tableSpace, so the same cell is the same guest address on both.
 * Zooming narrows the viewport by 8× around the selected table; at the narrowest, Enter moves the
 * focus into the table detail below.
 */
import { useCallback, useEffect, useMemo, useRef } from "react";
import type { MmSnapshot, RunInfo, ViewState } from "../../worker/api.ts";
import { formatBytesShort, formatInt } from "../format.ts";
import { useApp, useAppStore } from "../store-context.tsx";
import { type ClassCounts, countClassesFromHistogram } from "./memory-map/aggregate.ts";
import { ClassKey } from "./memory-map/ClassKey.tsx";
import { describeClass, type SlotNames, slotNames } from "./memory-map/classes.ts";
import { useDevicePixelRatio, useElementWidth, usePalette, useWindowHeight } from "./memory-map/hooks.ts";
import {
  describeHostCells,
  hostMapsLayout,
  mmLabel,
  scaleText,
  summaryAttr,
} from "./memory-map/host-maps.ts";
import {
  clampViewport,
  isWhole,
  type MapLayout,
  placeViewport,
  type Viewport,
  wholeViewport,
} from "./memory-map/layout.ts";
import { MapCanvas } from "./memory-map/MapCanvas.tsx";
import { MapLegend } from "./memory-map/MapLegend.tsx";
import { MapTables } from "./memory-map/MapTables.tsx";
import { useBalloonHighlightInLink, useBalloonOutlined } from "./memory-map/map-view.ts";
import { focusPteGrid, useViewportInLink, zoomMaps } from "./memory-map/zoom.ts";
import { NoRun } from "./NoRun.tsx";
import "./memory-map/maps.css";

export function MemoryMaps() {
  const store = useAppStore();
  const run = useApp((s) => s.run);
  const view = useApp((s) => s.view);
  const selection = useApp((s) => s.selection);
  const hoverTable = useApp((s) => s.hoverTable);
  const setHover = useApp((s) => s.setHover);
  // Outlined when asked for (the balloon view's checkbox, the link) or by default at a balloon or
  // migration step.
  const showBalloon = useBalloonOutlined(run, view);
  const rootRef = useRef<HTMLDivElement | null>(null);
  // The maps' own column: the key stands beside them when the pane is wide enough (maps.css).
  const listRef = useRef<HTMLDivElement | null>(null);
  const width = useElementWidth(listRef);
  const dpr = useDevicePixelRatio();
  const palette = usePalette(rootRef);

  const tableCount = view?.mms[0]?.tables ?? 0;
  const runId = run?.runId ?? -1;
  const viewportState = useApp((s) => s.viewport) ?? wholeViewport(tableCount);
  const setViewport = useCallback(
    (v: Viewport | ((v: Viewport) => Viewport)) =>
      store
        .getState()
        .setViewport(typeof v === "function" ? v(store.getState().viewport ?? wholeViewport(tableCount)) : v),
    [store, tableCount],
  );
  // A new run opens at the link's zoom (the whole RAM unless the link says otherwise); zooming and
  // panning write the link.
  useViewportInLink(tableCount, runId, selection?.table ?? null);
  useBalloonHighlightInLink();
  const viewport = clampViewport(tableCount, viewportState);

  const mmCount = view?.mms.length ?? 1;
  const windowHeight = useWindowHeight();
  const { layout, pair: sideBySide } = useMemo(
    () =>
      hostMapsLayout(
        tableCount,
        { tableSpaceStart: viewport.tableSpaceStart, tableSpaceLength: viewport.tableSpaceLength },
        width,
        dpr,
        mmCount,
        windowHeight,
      ),
    [tableCount, viewport.tableSpaceStart, viewport.tableSpaceLength, width, mmCount, dpr, windowHeight],
  );

  // Keep the selected table in view: pan (same zoom) when it leaves the viewport.
  const selTable = selection?.table ?? null;
  useEffect(() => {
    if (selTable === null || tableCount === 0) return;
    const v = clampViewport(tableCount, viewportState);
    if (selTable >= v.tableSpaceStart && selTable < v.tableSpaceStart + v.tableSpaceLength) return;
    setViewport(placeViewport(tableCount, v.tableSpaceLength, selTable));
  }, [selTable, tableCount, viewportState, setViewport]);

  const select = useCallback((mm: number, table: number) => store.getState().select({ mm, table }), [store]);

  const zoom = useCallback(
    (mm: number, direction: "in" | "out", focus: number) => {
      if (direction === "in") {
        const sel = store.getState().selection;
        if (!sel || sel.table !== focus || sel.mm !== mm) select(mm, focus);
      }
      if (zoomMaps(store.getState(), direction, focus, tableCount, layout) === "deepest") focusPteGrid();
    },
    [tableCount, layout, select, store],
  );

  const counts = useMemo(
    () => view?.mms.map((m) => countClassesFromHistogram(m.classHistogram)) ?? [],
    [view],
  );
  const names = useMemo(() => slotNames([run]), [run]);

  if (!run || !view || view.mms.length === 0) {
    return (
      <div className="zl-maps" ref={rootRef}>
        <h2 className="zl-h2">Host memory</h2>
        <NoRun />
      </div>
    );
  }

  const g = run.geometry;
  const whole = isWhole(tableCount, viewport);
  const from = viewport.tableSpaceStart * g.tableSpanBytes;
  const to = (viewport.tableSpaceStart + viewport.tableSpaceLength) * g.tableSpanBytes;
  const focusTable = selection?.table ?? viewport.tableSpaceStart + Math.floor(viewport.tableSpaceLength / 2);

  return (
    <div className="zl-maps" ref={rootRef} data-testid="memory-maps">
      <div className="zl-head">
        <h2 className="zl-h2">Host memory, one cell per page table</h2>
        <fieldset className="zl-zoom">
          <legend className="zl-sr-only">Map zoom</legend>
          <button
            type="button"
            onClick={() => zoom(selection?.mm ?? 0, "out", focusTable)}
            disabled={whole}
            aria-label="Zoom the maps out"
          >
            −
          </button>
          <button
            type="button"
            onClick={() => zoom(selection?.mm ?? 0, "in", focusTable)}
            aria-label="Zoom the maps in around the selected page table"
          >
            +
          </button>
          <button type="button" onClick={() => store.getState().setViewport(null)} disabled={whole}>
            Whole RAM
          </button>
        </fieldset>
      </div>
      <p className="zl-scale" data-testid="map-scale">
        {whole ? "All guest RAM" : `Zoomed: ${formatBytesShort(from)} – ${formatBytesShort(to)}`}
        {": "}
        {formatInt(viewport.tableSpaceLength)} page tables. {scaleText(run, layout.tablesPerCell)}.
        {layout.tablesPerCell > 1 && (
          <span className="zl-aggregated">
            {" "}
            Several tables share a cell: it shows their most common class, with a diagonal when they differ.
            Zoom in (+, or Enter on the map) for one table per cell.
          </span>
        )}
      </p>
      <div className="zl-map-body">
        <div className={sideBySide ? "zl-map-list zl-map-pair" : "zl-map-list"} ref={listRef}>
          {view.mms.map((m, i) => (
            <HostMap
              key={m.name}
              mm={i}
              snapshot={m}
              view={view}
              run={run}
              layout={layout}
              palette={palette}
              counts={counts[i]!}
              names={names}
              selection={selection}
              hoverTable={hoverTable}
              showBalloon={showBalloon}
              onSelect={select}
              onHover={setHover}
              onZoom={zoom}
            />
          ))}
        </div>
        <div className="zl-key-dock">
          <ClassKey
            columns={view.mms.map((m, i) => ({ key: m.name, label: m.name, counts: [counts[i]!] }))}
            palette={palette}
            tableSpanBytes={g.tableSpanBytes}
            names={names}
            balloon={showBalloon}
            caption="Key: guest RAM per class"
            testId="map-key"
          />
        </div>
      </div>
      <MapLegend
        run={run}
        view={view}
        counts={counts}
        names={names}
        palette={palette}
        showBalloon={showBalloon}
      />
      <MapTables run={run} view={view} counts={counts} names={names} />
    </div>
  );
}

interface HostMapProps {
  readonly mm: number;
  readonly snapshot: MmSnapshot;
  readonly view: ViewState;
  readonly run: RunInfo;
  readonly layout: MapLayout;
  readonly palette: ReturnType<typeof usePalette>;
  readonly counts: ClassCounts;
  readonly names: SlotNames;
  readonly selection: { mm: number; table: number } | null;
  readonly hoverTable: number | null;
  readonly showBalloon: boolean;
  readonly onSelect: (mm: number, table: number) => void;
  readonly onHover: (table: number | null) => void;
  readonly onZoom: (mm: number, direction: "in" | "out", focus: number) => void;
}

function HostMap(props: HostMapProps) {
  const { mm, snapshot: m, view, run, layout, palette, names, selection, hoverTable, showBalloon } = props;
  const g = run.geometry;
  const active = view.active.find((a) => a.mm === mm)?.runs ?? null;
  const selected = selection && selection.mm === mm ? selection.table : null;
  // The same table on the other map gets the hover ring, for comparison.
  const ghost = hoverTable ?? (selection && selection.mm !== mm ? selection.table : null);
  const describeCells = useCallback(
    (first: number, end: number) => describeHostCells(m, g.tableSpanBytes, names, first, end),
    [m, g.tableSpanBytes, names],
  );
  const onSelect = useCallback((t: number) => props.onSelect(mm, t), [props.onSelect, mm]);
  const onZoom = useCallback((d: "in" | "out", t: number) => props.onZoom(mm, d, t), [props.onZoom, mm]);
  const selText =
    selected !== null
      ? `Selected: table ${formatInt(selected)}, ${describeClass(m.tableClass[selected] ?? 0xff, names)}.`
      : "No table selected.";
  const c = m.counters;
  return (
    <figure className="zl-map" data-testid={`map-${m.name}`} data-mm={mm}>
      <figcaption className="zl-map-caption">
        <strong>{mmLabel(m.name)}</strong>
        <span className="muted">
          {" "}
          · host memory {formatBytesShort(c.hostMemBytes)} · RssAnon {formatBytesShort(c.rssAnonBytes)} · page
          tables {formatInt(c.pteTables)} ({formatBytesShort(c.pteTables * g.pteTableMemBytes)})
          {m.forbidsZeropage ? " · zeropage forbidden (mm_forbids_zeropage)" : ""}
          {m.hostZeropage ? ` · host policy: ${m.hostZeropage}` : ""}
        </span>
      </figcaption>
      <MapCanvas
        label={`${mmLabel(m.name)} memory map`}
        kind="host"
        layout={layout}
        perTable={m.tableClass}
        perTableKey={m.tableClassHash}
        ptesPerTable={m.ptesPerTable}
        pageOffset={m.pageOffset}
        tableBytes={g.tableSpanBytes}
        activeRuns={active}
        balloonOutline={showBalloon ? m.balloon : null}
        balloonOutlineKey={m.balloonHash}
        selectedTable={selected}
        hoverTable={ghost}
        palette={palette}
        describeCells={describeCells}
        onSelect={onSelect}
        onHover={props.onHover}
        onZoom={onZoom}
        description={`${selText} Arrow keys move the selected page table, Enter zooms in, Escape zooms out. The table of classes below lists the same information.`}
      />
      <span hidden data-testid={`map-summary-${m.name}`} data-summary={summaryAttr(props.counts)} />
    </figure>
  );
}
