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
import { Fragment, useCallback, useEffect, useMemo, useRef, useState } from "react";
import type { MmSnapshot, RunInfo, ViewState } from "../../worker/api.ts";
import { formatBytesShort, formatInt } from "../format.ts";
import { useApp, useAppStore } from "../store-context.tsx";
import { type ClassCounts, countClassesFromHistogram } from "./memory-map/aggregate.ts";
import { ClassKey } from "./memory-map/ClassKey.tsx";
import { describeClass, SLOT_KEYS, SLOT_ZERO, type SlotNames, slotNames } from "./memory-map/classes.ts";
import { useDevicePixelRatio, useElementWidth, usePalette } from "./memory-map/hooks.ts";
import {
  appMapLayout,
  clampViewport,
  computeLayout,
  isWhole,
  MAP_GUTTER_CSS_PX,
  MAP_MAX_PITCH_CSS_PX,
  type MapLayout,
  placeViewport,
  type Viewport,
  wholeViewport,
} from "./memory-map/layout.ts";
import { useBalloonHighlightInLink, useBalloonOutlined, useMapLink } from "./memory-map/link.ts";
import { MapCanvas } from "./memory-map/MapCanvas.tsx";
import { Swatch } from "./memory-map/Swatch.tsx";
import { focusPteGrid, useViewportInLink, zoomMaps } from "./memory-map/zoom.ts";
import { NoRun } from "./NoRun.tsx";
import "./memory-map/maps.css";

function mmLabel(name: string): string {
  return `${name} host`;
}

/** "one cell = 1 page table = 256 PTEs = 1 MiB" (or several tables when aggregated). */
function scaleText(run: RunInfo, tablesPerCell: number): string {
  const g = run.geometry;
  const tables = tablesPerCell === 1 ? "1 page table" : `${formatInt(tablesPerCell)} page tables`;
  const ptes = tablesPerCell * g.ptesPerTable;
  return `One cell = ${tables} = ${formatInt(ptes)} PTEs (pages of 4 KiB) = ${formatBytesShort(tablesPerCell * g.tableSpanBytes)} of guest RAM`;
}

/** Gap between the source and destination maps when they stand side by side. */
const PAIR_GAP_CSS_PX = 16;
/** Narrowest map side by side: the gutter and 256 columns, so 100 GiB stays one table per cell. */
const PAIR_MIN_MAP_CSS_PX = MAP_GUTTER_CSS_PX + 256;
/**
 * Side by side, a map may be taller: the two no longer stack. Up to 420 CSS px (100 GiB at one
 * table per cell: 400 rows of 256), less on a short window, where everything above and below the
 * maps (header, panel heads, the dock, the transport bar: about 330 px) leaves less: a 1280 × 720
 * laptop shows both maps whole, two tables per cell, rather than cut off at the bottom.
 */
const PAIR_MAX_HEIGHT_CSS_PX = 420;
const PAIR_CHROME_CSS_PX = 330;

function pairMaxHeight(windowCssPx: number): number {
  return Math.max(200, Math.min(PAIR_MAX_HEIGHT_CSS_PX, windowCssPx - PAIR_CHROME_CSS_PX));
}

/** The window's height, kept up to date on resize. */
function useWindowHeight(): number {
  const [h, setH] = useState(() => (typeof window === "undefined" ? 900 : window.innerHeight));
  useEffect(() => {
    const on = () => setH(window.innerHeight);
    window.addEventListener("resize", on);
    return () => window.removeEventListener("resize", on);
  }, []);
  return h;
}

/**
 * Whether the source and destination maps stand side by side: both visible at once, in the width
 * a single map's power-of-two rows would leave empty (512 columns of a 100 GiB map fill about 60 %
 * of a 1440 px desktop's centre; two maps of 256 columns fill most of it, at the same cell size).
 */
function pairSideBySide(mmCount: number, paneCssPx: number): boolean {
  return mmCount === 2 && paneCssPx >= 2 * PAIR_MIN_MAP_CSS_PX + PAIR_GAP_CSS_PX;
}

/** Below this cell pitch (device px, where cells lose their gaps) the maps are dense enough to pair. */
const PAIR_BELOW_DEVICE_PX_PITCH = 4;

/**
 * The host maps' layout for the pane's width: one map per row, or two side by side. A small guest
 * whose stacked maps already have big cells keeps them (pairing would only halve its columns); a
 * big one, drawn in cells of a pixel or two, pairs.
 */
function hostMapsLayout(
  tableCount: number,
  viewport: Viewport,
  paneCssPx: number,
  devicePixelRatio: number,
  mmCount: number,
  windowCssPx: number,
): { layout: MapLayout; pair: boolean } {
  const stacked = appMapLayout(tableCount, viewport, paneCssPx, devicePixelRatio, mmCount);
  if (!pairSideBySide(mmCount, paneCssPx) || stacked.devicePxPitch >= PAIR_BELOW_DEVICE_PX_PITCH)
    return { layout: stacked, pair: false };
  const layout = computeLayout({
    tableCount,
    tableSpaceStart: viewport.tableSpaceStart,
    tableSpaceLength: viewport.tableSpaceLength,
    cssPxWidth: Math.floor((paneCssPx - PAIR_GAP_CSS_PX) / 2),
    cssPxMaxHeight: pairMaxHeight(windowCssPx),
    cssPxGutter: MAP_GUTTER_CSS_PX,
    cssPxMaxPitch: MAP_MAX_PITCH_CSS_PX,
    devicePixelRatio,
  });
  return { layout, pair: true };
}

export function MemoryMaps() {
  const store = useAppStore();
  const run = useApp((s) => s.run);
  const view = useApp((s) => s.view);
  const selection = useApp((s) => s.selection);
  const hoverTable = useMapLink((s) => s.hoverTable);
  const setHover = useMapLink((s) => s.setHover);
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
  const viewportState = useMapLink((s) => s.viewport) ?? wholeViewport(tableCount);
  const setLinkViewport = useMapLink((s) => s.setViewport);
  const setViewport = useCallback(
    (v: Viewport | ((v: Viewport) => Viewport)) =>
      setLinkViewport(
        typeof v === "function" ? v(useMapLink.getState().viewport ?? wholeViewport(tableCount)) : v,
      ),
    [setLinkViewport, tableCount],
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
      if (zoomMaps(direction, focus, tableCount, layout) === "deepest") focusPteGrid();
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
          <button type="button" onClick={() => setLinkViewport(null)} disabled={whole}>
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
      <Legend
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
    (first: number, end: number) => {
      const range = `${formatBytesShort(first * g.tableSpanBytes)} – ${formatBytesShort(end * g.tableSpanBytes)}`;
      const balloon =
        m.balloon[first] === 2
          ? "; all in the balloon"
          : m.balloon[first] === 1
            ? "; partly in the balloon"
            : "";
      if (end - first === 1)
        return `${mmLabel(m.name)} · table ${formatInt(first)} · ${range} · ${describeClass(m.tableClass[first]!, names)}${balloon}`;
      return `${mmLabel(m.name)} · tables ${formatInt(first)}–${formatInt(end - 1)} · ${range}`;
    },
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

function summaryAttr(c: ClassCounts): string {
  return SLOT_KEYS.map((k, i) => `${k}:${c.bySlot[i]}`).join(",");
}

const HUGE_ZERO_NOTE =
  "a huge PMD maps the one huge zero page (x86_64 THP, mm/huge_memory.c do_huge_pmd_anonymous_page): 2 MiB of reads cost no frame of their own (only the PTE table deposited under the PMD); counted apart from zeropage PTEs";

function Legend(props: {
  run: RunInfo;
  view: ViewState;
  counts: readonly ClassCounts[];
  names: SlotNames;
  palette: ReturnType<typeof usePalette>;
  showBalloon: boolean;
}) {
  const { run, view, counts, names, palette, showBalloon } = props;
  const span = run.geometry.tableSpanBytes;
  const ptes = run.geometry.ptesPerTable;
  const anyActive = view.active.some((a) => a.runs.length > 0);
  const anyHugeZero = counts.some((c) => c.hugeBySlot[SLOT_ZERO]! > 0);
  return (
    <div className="zl-legend">
      <table className="zl-legend-table">
        <caption className="zl-sr-only">
          Legend: what each colour means, and how much guest RAM it covers
        </caption>
        <thead>
          <tr>
            <th scope="col">cell colour</th>
            {view.mms.map((m) => (
              <th scope="col" key={m.name}>
                {m.name}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {SLOT_KEYS.map((key, slot) => (
            <Fragment key={key}>
              <tr title={names[key].note} data-slot={key}>
                <th scope="row">
                  <Swatch palette={palette} tile={slot * 4} />
                  <span className="zl-legend-label">
                    {names[key].label}
                    {slot === SLOT_ZERO && anyHugeZero ? " (PTEs)" : ""}
                  </span>
                </th>
                {view.mms.map((m, i) => {
                  // Huge zero PMDs have a row of their own: this one is what PTEs map.
                  const c = counts[i]!;
                  const n = c.bySlot[slot]! - (slot === SLOT_ZERO ? c.hugeBySlot[slot]! : 0);
                  return (
                    <td
                      key={m.name}
                      className={n === 0 ? "zl-zero" : undefined}
                      data-pages={n * ptes}
                      data-bytes={n * span}
                    >
                      {n === 0 ? (
                        "–"
                      ) : (
                        <>
                          {formatBytesShort(n * span)}
                          <span className="zl-legend-pages"> · {formatInt(n * ptes)} pages</span>
                        </>
                      )}
                    </td>
                  );
                })}
              </tr>
              {slot === SLOT_ZERO && anyHugeZero && (
                <tr title={HUGE_ZERO_NOTE} data-slot="huge-zero">
                  <th scope="row">
                    <Swatch palette={palette} tile={SLOT_ZERO * 4 + 2} />
                    <span className="zl-legend-label">huge zero page (PMDs)</span>
                  </th>
                  {view.mms.map((m, i) => {
                    const n = counts[i]!.hugeBySlot[SLOT_ZERO]!;
                    return (
                      <td
                        key={m.name}
                        className={n === 0 ? "zl-zero" : undefined}
                        data-pages={n * ptes}
                        data-pmds={n}
                        data-bytes={n * span}
                      >
                        {n === 0 ? (
                          "–"
                        ) : (
                          <>
                            {formatBytesShort(n * span)}
                            <span className="zl-legend-pages">
                              {" "}
                              · {formatInt(n)} PMDs · {formatInt(n * ptes)} pages
                            </span>
                          </>
                        )}
                      </td>
                    );
                  })}
                </tr>
              )}
            </Fragment>
          ))}
        </tbody>
      </table>
      <ul className="zl-legend-marks">
        <li>
          <Swatch palette={palette} tile={4 * 4 + 1} />
          mixed table (diagonal)
        </li>
        <li>
          <Swatch palette={palette} tile={4 * 4 + 2} />
          huge PMD (dark corner)
        </li>
        <li>
          <span className="zl-mark zl-mark-active" aria-hidden="true" />
          touched by this step (mark in the margin; outline on big cells)
        </li>
        {(showBalloon || anyActive) && (
          <li>
            <span className="zl-mark zl-mark-faded" aria-hidden="true" />
            {showBalloon ? "faded: no ballooned guest page in the table" : "faded: not touched by this step"}
          </li>
        )}
        <li>
          <span className="zl-mark zl-mark-select" aria-hidden="true" />
          selected table
        </li>
        <li>
          <BalloonAutoToggle />
        </li>
      </ul>
      <p className="zl-legend-note muted">
        Sizes are guest RAM covered by the tables, in bytes and in 4 KiB pages (a table covers{" "}
        {formatBytesShort(span)}, {formatInt(ptes)} pages). Patterns show from about 6 device pixels per cell;
        zoom in to see them.
      </p>
    </div>
  );
}

/** The tabular alternative: tables per class and mm, and the selected table's PTEs per state. */
function MapTables(props: {
  run: RunInfo;
  view: ViewState;
  counts: readonly ClassCounts[];
  names: SlotNames;
}) {
  const { run, view, counts, names } = props;
  const span = run.geometry.tableSpanBytes;
  const detail = view.table;
  const stateCounts = useMemo(() => {
    if (!detail) return null;
    const out = new Array<number>(run.pteStates.length).fill(0);
    for (const s of detail.states) out[s] = (out[s] ?? 0) + 1;
    return out;
  }, [detail, run.pteStates.length]);
  return (
    <details className="zl-details">
      <summary>Maps as a table</summary>
      <table className="zl-table" data-testid="map-class-table">
        <caption>Page tables by class</caption>
        <thead>
          <tr>
            <th scope="col">class</th>
            {view.mms.map((m) => (
              <th scope="col" key={m.name}>
                {m.name}: tables · pages · guest RAM
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {SLOT_KEYS.map((key, slot) => (
            <tr key={key}>
              <th scope="row">{names[key].label}</th>
              {view.mms.map((m, i) => (
                <td key={m.name}>
                  {formatInt(counts[i]!.bySlot[slot]!)} ·{" "}
                  {formatInt(counts[i]!.bySlot[slot]! * run.geometry.ptesPerTable)} pages ·{" "}
                  {formatBytesShort(counts[i]!.bySlot[slot]! * span)}
                </td>
              ))}
            </tr>
          ))}
          <tr>
            <th scope="row">of which mixed</th>
            {view.mms.map((m, i) => (
              <td key={m.name}>{formatInt(counts[i]!.mixed)}</td>
            ))}
          </tr>
          <tr>
            <th scope="row">of which huge PMD</th>
            {view.mms.map((m, i) => (
              <td key={m.name}>{formatInt(counts[i]!.huge)}</td>
            ))}
          </tr>
        </tbody>
      </table>
      {detail && stateCounts && (
        <table className="zl-table" data-testid="pte-state-table">
          <caption>
            Selected: {view.mms[detail.mm]?.name} table {formatInt(detail.table)}, PTEs by state
          </caption>
          <thead>
            <tr>
              <th scope="col">PTE state</th>
              <th scope="col">PTEs</th>
            </tr>
          </thead>
          <tbody>
            {run.pteStates.map((s, i) => (
              <tr key={s.key}>
                <th scope="row">{s.name}</th>
                <td>{formatInt(stateCounts[i] ?? 0)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </details>
  );
}

/** "Outline the balloon at the balloon and migration steps": on by default, view-local. */
function BalloonAutoToggle() {
  const auto = useMapLink((s) => s.balloonAuto);
  const setAuto = useMapLink((s) => s.setBalloonAuto);
  return (
    <label className="zl-balloon-auto">
      <input
        type="checkbox"
        checked={auto}
        onChange={(e) => setAuto(e.target.checked)}
        data-testid="balloon-auto"
      />{" "}
      outline the ballooned tables at the balloon and migration steps
    </label>
  );
}
