/**
 * The host memory maps of both runs, side by side: one row per mm (source, destination), the left
 * run's map on the left and the right run's on the right, one cell per page table, sharing one
 * zoom and one selection. The diff-map mode fades the page tables that are the same on both sides
 * and outlines the ones that differ (the worker's diff map, compare/state-diff.ts).
 *
 * Zoom is shared as a share of guest RAM, so that with different table sizes (x86_64 against s390)
 * both maps show the same addresses (and two scenarios of different RAM sizes the same share of
 * each). The link carries it as the single view's maps do (`zoom` and `at`, in the left run's page
 * tables; link-sync.ts setZoom), so a compare link reopens zoomed, Back restores the zoom, and
 * leaving compare mode keeps it.
 */
import { memo, useMemo, useRef } from "react";
import type { MmDiff, PairViewState, RunInfo } from "../../worker/api.ts";
import { formatBytesShort, formatInt } from "../format.ts";
import { useLinkSync, useLinks } from "../share/context.tsx";
import { describeClass, slotNames } from "../views/memory-map/classes.ts";
import { useDevicePixelRatio, useElementWidth, usePalette } from "../views/memory-map/hooks.ts";
import {
  appMapLayout,
  clampViewport,
  MIN_ZOOM_TABLES,
  type Viewport,
  wholeViewport,
  zoomIn,
  zoomOfViewport,
  zoomOut,
} from "../views/memory-map/layout.ts";
import { viewportOfLink } from "../views/memory-map/zoom.ts";
import { useCompare, useCompareStore } from "./context.tsx";
import { PairMapCanvas } from "./PairMapCanvas.tsx";

const SIDE_NAMES = ["left", "right"] as const;

/** The shared zoom: a window of guest RAM as fractions [start, start + length) of it. */
interface Window {
  readonly start: number;
  readonly length: number;
}

const WHOLE: Window = { start: 0, length: 1 };

function diffOf(diff: readonly MmDiff[] | null, mm: string, side: 0 | 1): Uint8Array | null {
  const d = diff?.find((x) => x.name === mm);
  if (!d) return null;
  return side === 0 ? d.left : d.right;
}

export const PairMaps = memo(function PairMaps({
  runs,
  view,
}: {
  runs: readonly [RunInfo, RunInfo];
  view: PairViewState;
}) {
  const store = useCompareStore();
  const diffOn = useCompare((s) => s.diffMap);
  const pairDiff = useCompare((s) => s.diff);
  const diff = pairDiff?.diff ?? null;
  const selection = useCompare((s) => s.selection);
  const rootRef = useRef<HTMLDivElement | null>(null);
  const width = useElementWidth(rootRef);
  const dpr = useDevicePixelRatio();
  const palette = usePalette(rootRef);
  const sync = useLinkSync();
  const linkZoom = useLinks((s) => s.zoom);
  const linkStart = useLinks((s) => s.viewStart);
  // Read with the palette, so a theme flip re-reads it too.
  const diffColour =
    (palette && rootRef.current && getComputedStyle(rootRef.current).getPropertyValue("--cmp-diff").trim()) ||
    "#f0e442";

  const names: string[] = [];
  for (const side of view.sides) for (const m of side.mms) if (!names.includes(m.name)) names.push(m.name);
  const half = Math.max(140, Math.floor((width - 16) / 2));
  const tablesOf = (side: 0 | 1) => view.sides[side].mms[0]?.tables ?? 0;
  // Layouts change only with the sizes, the zoom and the width: the canvases repaint per view, not
  // per render.
  const t0 = tablesOf(0);
  const t1 = tablesOf(1);
  // The link's viewport in the left run's tables, as a share of guest RAM for both sides.
  const viewport = useMemo(
    () => (t0 > 0 ? viewportOfLink(t0, linkZoom, linkStart, t0 >> 1) : null),
    [t0, linkZoom, linkStart],
  );
  const win: Window = viewport
    ? { start: viewport.tableSpaceStart / t0, length: viewport.tableSpaceLength / t0 }
    : WHOLE;
  const layouts = useMemo(
    () =>
      [t0, t1].map((n) => {
        const start = Math.floor(win.start * n);
        const length = Math.max(1, Math.min(n - start, Math.round(win.length * n)));
        return appMapLayout(n, { tableSpaceStart: start, tableSpaceLength: length }, half, dpr, names.length);
      }),
    [t0, t1, win, half, dpr, names.length],
  );

  const focus = (v: Viewport | null) =>
    selection && selection.table < t0
      ? selection.table
      : v
        ? v.tableSpaceStart + (v.tableSpaceLength >> 1)
        : t0 >> 1;
  const zoom = (direction: "in" | "out") => {
    if (!sync || t0 === 0) return;
    const v = viewport ?? wholeViewport(t0);
    const next = clampViewport(t0, direction === "in" ? zoomIn(t0, v, focus(v)) : zoomOut(t0, v, focus(v)));
    const z = zoomOfViewport(t0, next);
    sync.setZoom(z, z === null ? null : next.tableSpaceStart);
  };
  const whole = win.length >= 1;
  const diffCounts = names.map((mm) => diff?.find((d) => d.name === mm));

  return (
    <div className="cmp-maps" ref={rootRef} data-testid="compare-maps">
      <div className="cmp-maps-head">
        <h2 className="zl-h2">Host memory, one cell per page table</h2>
        <label className="cmp-toggle">
          <input
            type="checkbox"
            checked={diffOn}
            onChange={(e) => store.getState().setDiffMap(e.target.checked)}
            data-testid="diff-map-toggle"
          />
          Diff map: highlight the page tables that differ
        </label>
        <fieldset className="zl-zoom">
          <legend className="zl-sr-only">Map zoom, shared by both sides</legend>
          <button type="button" onClick={() => zoom("out")} disabled={whole} aria-label="Zoom both maps out">
            −
          </button>
          <button
            type="button"
            onClick={() => zoom("in")}
            disabled={!sync || (viewport?.tableSpaceLength ?? t0) <= MIN_ZOOM_TABLES}
            aria-label="Zoom both maps in"
          >
            +
          </button>
          <button type="button" onClick={() => sync?.setZoom(null, null)} disabled={whole}>
            Whole RAM
          </button>
        </fieldset>
      </div>
      {diffOn && (
        <p className="cmp-diff-summary" data-testid="diff-summary" data-position={pairDiff?.position ?? -1}>
          {names.map((mm, i) => {
            const d = diffCounts[i];
            return (
              <span key={mm} data-mm={mm} data-differing={d ? d.differingLeft : 0}>
                {mm}: {d ? formatInt(d.differingLeft) : "–"} page{" "}
                {d?.differingLeft === 1 ? "table differs" : "tables differ"}
                {d && d.differingRight !== d.differingLeft
                  ? ` (${formatInt(d.differingRight)} on the right)`
                  : ""}
              </span>
            );
          })}
          <span className="cmp-swatch-diff" aria-hidden="true" /> differs: in colour, ringed when few · the
          same on both sides: faded
        </p>
      )}
      <div className="cmp-map-grid">
        {names.map((mm) =>
          ([0, 1] as const).map((side) => {
            const v = view.sides[side];
            const mmIndex = v.mms.findIndex((m) => m.name === mm);
            const snap = v.mms[mmIndex];
            const run = runs[side];
            if (!snap)
              return (
                <div key={`${mm}-${side}`} className="cmp-map cmp-map-missing">
                  <p className="muted">
                    No {mm} on the {SIDE_NAMES[side]}.
                  </p>
                </div>
              );
            const g = run.geometry;
            const c = snap.counters;
            const active = v.active.find((a) => a.mm === mmIndex)?.runs ?? null;
            const selected = selection && selection.mm === mmIndex ? selection.table : null;
            return (
              <figure
                key={`${mm}-${side}`}
                className={`cmp-map cmp-side-${side}`}
                data-testid={`compare-map-${SIDE_NAMES[side]}-${mm}`}
              >
                <figcaption>
                  <strong>
                    {mm} host · {SIDE_NAMES[side]}
                  </strong>{" "}
                  <span className="muted">
                    RssAnon {formatBytesShort(c.rssAnonBytes)} · host memory{" "}
                    {formatBytesShort(c.hostMemBytes)} · zeropage PTEs {formatInt(c.zeropagePtes)}
                    {snap.forbidsZeropage ? " · zeropage forbidden" : ""}
                  </span>
                </figcaption>
                <PairMapCanvas
                  label={`${mm} host memory map, ${SIDE_NAMES[side]} run (${run.kernel.id})`}
                  layout={layouts[side]!}
                  tableClass={snap.tableClass}
                  ptesPerTable={snap.ptesPerTable}
                  pageOffset={snap.pageOffset}
                  activeRuns={active}
                  diff={diffOn ? diffOf(diff, mm, side) : null}
                  selectedTable={selected}
                  palette={palette}
                  diffColour={diffColour}
                  describeCells={(first, end) =>
                    end - first === 1
                      ? `${SIDE_NAMES[side]} · ${mm} · table ${formatInt(first)} · ${formatBytesShort(first * g.tableSpanBytes)} · ${describeClass(snap.tableClass[first]!, slotNames([run]))}`
                      : `${SIDE_NAMES[side]} · ${mm} · tables ${formatInt(first)}–${formatInt(end - 1)}`
                  }
                  onSelect={(table) => store.getState().select({ mm: mmIndex, table })}
                />
              </figure>
            );
          }),
        )}
      </div>
    </div>
  );
});
