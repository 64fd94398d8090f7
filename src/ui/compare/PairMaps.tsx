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
import type { PairViewState, RunInfo, ViewState } from "../../worker/api.ts";
import { formatBytesShort, formatInt } from "../format.ts";
import { useLinkSync, useLinks } from "../share/context.tsx";
import { slotNames } from "../views/memory-map/classes.ts";
import {
  useCssVariable,
  useDevicePixelRatio,
  useElementWidth,
  usePalette,
} from "../views/memory-map/hooks.ts";
import { type MapLayout, MIN_ZOOM_TABLES, type Viewport } from "../views/memory-map/layout.ts";
import { viewportOfLink } from "../views/memory-map/zoom.ts";
import { useCompare, useCompareStore } from "./context.tsx";
import { PairMapCanvas } from "./PairMapCanvas.tsx";
import {
  describePairCells,
  diffCountText,
  diffOf,
  hostNames,
  SIDE_NAMES,
  sideLayouts,
  windowOf,
  zoomStep,
} from "./pair-maps.ts";

export const PairMaps = memo(function PairMaps({
  runs,
  view,
}: {
  runs: readonly [RunInfo, RunInfo];
  view: PairViewState;
}) {
  const diffOn = useCompare((s) => s.diffMap);
  const pairDiff = useCompare((s) => s.diff);
  const diff = pairDiff?.diff ?? null;
  const rootRef = useRef<HTMLDivElement | null>(null);
  const width = useElementWidth(rootRef);
  const dpr = useDevicePixelRatio();
  const palette = usePalette(rootRef);
  const linkZoom = useLinks((s) => s.zoom);
  const linkStart = useLinks((s) => s.viewStart);
  const diffColour = useCssVariable(rootRef, "--cmp-diff", "#f0e442", palette);

  const names = hostNames(view);
  const half = Math.max(140, Math.floor((width - 16) / 2));
  // Layouts change only with the sizes, the zoom and the width: the canvases repaint per view, not
  // per render.
  const t0 = view.sides[0].mms[0]?.tables ?? 0;
  const t1 = view.sides[1].mms[0]?.tables ?? 0;
  // The link's viewport in the left run's tables, as a share of guest RAM for both sides.
  const viewport = useMemo(
    () => (t0 > 0 ? viewportOfLink(t0, linkZoom, linkStart, t0 >> 1) : null),
    [t0, linkZoom, linkStart],
  );
  const win = useMemo(() => windowOf(viewport, t0), [viewport, t0]);
  const layouts = useMemo(
    () => sideLayouts([t0, t1], win, half, dpr, names.length),
    [t0, t1, win, half, dpr, names.length],
  );

  return (
    <div className="cmp-maps" ref={rootRef} data-testid="compare-maps">
      <PairMapsHead tables={t0} viewport={viewport} whole={win.length >= 1} />
      {diffOn && (
        <p className="cmp-diff-summary" data-testid="diff-summary" data-position={pairDiff?.position ?? -1}>
          {names.map((mm) => {
            const d = diff?.find((x) => x.name === mm);
            return (
              <span key={mm} data-mm={mm} data-differing={d ? d.differingLeft : 0}>
                {mm}: {diffCountText(d)}
              </span>
            );
          })}
          <span className="cmp-swatch-diff" aria-hidden="true" /> differs: in colour, ringed when few · the
          same on both sides: faded
        </p>
      )}
      <div className="cmp-map-grid">
        {names.map((mm) =>
          ([0, 1] as const).map((side) => (
            <PairMapFigure
              key={`${mm}-${side}`}
              mm={mm}
              side={side}
              run={runs[side]}
              view={view.sides[side]}
              layout={layouts[side]!}
              diff={diffOn ? diffOf(diff, mm, side) : null}
              palette={palette}
              diffColour={diffColour}
            />
          )),
        )}
      </div>
    </div>
  );
});

/** The maps' title, the diff map's toggle, and the zoom both sides share. */
function PairMapsHead({
  tables,
  viewport,
  whole,
}: {
  tables: number;
  viewport: Viewport | null;
  whole: boolean;
}) {
  const store = useCompareStore();
  const diffOn = useCompare((s) => s.diffMap);
  const selection = useCompare((s) => s.selection);
  const sync = useLinkSync();
  const zoom = (direction: "in" | "out") => {
    if (!sync || tables === 0) return;
    const next = zoomStep(tables, viewport, selection?.table ?? null, direction);
    sync.setZoom(next.zoom, next.start);
  };
  return (
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
          disabled={!sync || (viewport?.tableSpaceLength ?? tables) <= MIN_ZOOM_TABLES}
          aria-label="Zoom both maps in"
        >
          +
        </button>
        <button type="button" onClick={() => sync?.setZoom(null, null)} disabled={whole}>
          Whole RAM
        </button>
      </fieldset>
    </div>
  );
}

interface FigureProps {
  readonly mm: string;
  readonly side: 0 | 1;
  readonly run: RunInfo;
  readonly view: ViewState;
  readonly layout: MapLayout;
  readonly diff: Uint8Array | null;
  readonly palette: ReturnType<typeof usePalette>;
  readonly diffColour: string;
}

/** One side's map of one host, with its caption; or a note that this side has no such host. */
function PairMapFigure({ mm, side, run, view: v, layout, diff, palette, diffColour }: FigureProps) {
  const store = useCompareStore();
  const selection = useCompare((s) => s.selection);
  const mmIndex = v.mms.findIndex((m) => m.name === mm);
  const snap = v.mms[mmIndex];
  if (!snap)
    return (
      <div className="cmp-map cmp-map-missing">
        <p className="muted">
          No {mm} on the {SIDE_NAMES[side]}.
        </p>
      </div>
    );
  const c = snap.counters;
  const active = v.active.find((a) => a.mm === mmIndex)?.runs ?? null;
  const selected = selection && selection.mm === mmIndex ? selection.table : null;
  return (
    <figure className={`cmp-map cmp-side-${side}`} data-testid={`compare-map-${SIDE_NAMES[side]}-${mm}`}>
      <figcaption>
        <strong>
          {mm} host · {SIDE_NAMES[side]}
        </strong>{" "}
        <span className="muted">
          RssAnon {formatBytesShort(c.rssAnonBytes)} · host memory {formatBytesShort(c.hostMemBytes)} ·
          zeropage PTEs {formatInt(c.zeropagePtes)}
          {snap.forbidsZeropage ? " · zeropage forbidden" : ""}
        </span>
      </figcaption>
      <PairMapCanvas
        label={`${mm} host memory map, ${SIDE_NAMES[side]} run (${run.kernel.id})`}
        layout={layout}
        tableClass={snap.tableClass}
        ptesPerTable={snap.ptesPerTable}
        pageOffset={snap.pageOffset}
        activeRuns={active}
        diff={diff}
        selectedTable={selected}
        palette={palette}
        diffColour={diffColour}
        describeCells={(first, end) =>
          describePairCells(side, mm, run.geometry, snap.tableClass, slotNames([run]), first, end)
        }
        onSelect={(table) => store.getState().select({ mm: mmIndex, table })}
      />
    </figure>
  );
}
