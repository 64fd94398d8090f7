/**
 * The selected page table, zoomed in: its 256 (s390) or 512 (x86_64) PTEs as a grid, and the
 * zeropage fan-in: every PTE's arrow to the frame it maps. Zeropage PTEs converge on the one
 * shared zeropage frame, KSM PTEs on a KSM page, anonymous PTEs each keep a frame of their own;
 * the page-table page itself is drawn as a frame that costs memory.
 *
 * When a step changes PTEs of the shown table, the changed cells are ringed, and a PTE that left
 * a shared frame for a frame of its own (an unshare or COW fault) gets an arrow from the shared
 * frame to its new frame, drawn in motion unless the user prefers reduced motion.
 *
 * The worker says what every state means (run.pteStates: content class and frame); this view
 * only maps that to colours, glyphs and geometry (table-detail/fan-in.ts).
 */
import { path as d3path, linkHorizontal } from "d3";
import { type KeyboardEvent, type MouseEvent, useEffect, useMemo, useRef } from "react";
import { runsEnd } from "../../base/runs.ts";
import { PAGE_SIZE } from "../../base/units.ts";
import type { RunInfo, TableDetail as TableDetailData, ViewState } from "../../worker/api.ts";
import { formatBytesShort, formatInt } from "../format.ts";
import { useApp, useAppStore } from "../store-context.tsx";
import { useReducedMotion } from "./memory-map/hooks.ts";
import { useMapLink } from "./memory-map/link.ts";
import {
  type Band,
  cellRect,
  departures,
  type FanInLayout,
  type FrameKind,
  ghostBands,
  LABEL_SVG_PX,
  layoutFanIn,
  ownFrameRect,
  type Rect,
} from "./table-detail/fan-in.ts";
import { GLYPHS, stateGlyph } from "./table-detail/glyphs.ts";
import "./memory-map/maps.css";

const COLUMNS = 16;
const FRAME = 11;
const OWN_COLUMNS = 16;
const BAND_WIDTH = 120;

function bandPath(x0: number, x1: number, b: Band): string {
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
interface UnshareArrow {
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

function unshareArrows(
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
    const dst = ownFrameRect(fan, own, OWN_COLUMNS, FRAME);
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

const link = linkHorizontal<{ source: [number, number]; target: [number, number] }, [number, number]>();

/** The table holding the last page the current step touched (where a walk has got to), or null. */
function lastTouchedTable(view: ViewState): { mm: number; table: number } | null {
  for (let a = view.active.length - 1; a >= 0; a--) {
    const { mm, runs } = view.active[a]!;
    if (runs.length < 2) continue;
    const m = view.mms[mm];
    if (!m) continue;
    const last = runsEnd(runs) - 1;
    return { mm, table: Math.floor((last + m.pageOffset) / m.ptesPerTable) };
  }
  return null;
}

/**
 * The table's states before this step, from the worker's record of what the step did
 * (ViewState.changes: every page it covered, by before and after state), when the view did not
 * see the table one step earlier itself: a table step that follows the walk lands on a table for
 * the first time. A covered slot's state before is known when every covered page now in its state
 * came from the same one; otherwise, or outside the step, the slot counts as unchanged. Null when
 * the step left no record (action granularity) or changed nothing here.
 */
function beforeFromChanges(
  detail: TableDetailData,
  active: ViewState["active"],
  changes: ViewState["changes"],
): Uint8Array | null {
  if (!changes || changes.length === 0) return null;
  const fromOf = new Map<number, number>();
  for (const c of changes) {
    const seen = fromOf.get(c.to);
    fromOf.set(c.to, seen === undefined || seen === c.from ? c.from : -1);
  }
  const n = detail.states.length;
  let out: Uint8Array | null = null;
  for (const a of active) {
    if (a.mm !== detail.mm) continue;
    for (let i = 0; i + 1 < a.runs.length; i += 2) {
      const lo = Math.max(a.runs[i]!, detail.firstPage);
      const hi = Math.min(a.runs[i]! + a.runs[i + 1]!, detail.firstPage + n);
      for (let p = lo; p < hi; p++) {
        const slot = p - detail.firstPage;
        const from = fromOf.get(detail.states[slot]!);
        if (from === undefined || from < 0 || from === detail.states[slot]) continue;
        out ??= Uint8Array.from(detail.states);
        out[slot] = from;
      }
    }
  }
  return out;
}

function FollowToggle() {
  const follow = useMapLink((s) => s.followStep);
  const setFollow = useMapLink((s) => s.setFollowStep);
  return (
    <label className="zl-check zl-follow">
      <input type="checkbox" checked={follow} onChange={(e) => setFollow(e.target.checked)} />
      Follow the step: show the page table the step touched last
    </label>
  );
}

interface History {
  key: string;
  states: Uint8Array;
  /** Where `states` was seen: the granularity and position of that view. */
  at: string;
  /** The states one step earlier at the same granularity, or null when the view did not come from there. */
  prev: Uint8Array | null;
}

export function TableDetail() {
  const store = useAppStore();
  const run = useApp((s) => s.run);
  const view = useApp((s) => s.view);
  const selectedPage = useApp((s) => s.selectedPage);
  const storeReduced = useApp((s) => s.reducedMotion);
  const mediaReduced = useReducedMotion();
  const reduced = storeReduced || mediaReduced;
  const history = useRef<History | null>(null);
  const followStep = useMapLink((s) => s.followStep);

  // Follow the step: show the table holding the last page the step touched.
  useEffect(() => {
    if (!followStep || !view) return;
    const target = lastTouchedTable(view);
    if (!target) return;
    const sel = store.getState().selection;
    if (sel && sel.mm === target.mm && sel.table === target.table) return;
    store.getState().select(target);
  }, [followStep, view, store]);

  const detail = view?.table ?? null;
  // Remember the states of the same table one step earlier, to see what this step changed. Only a
  // step forward from the position just before counts: after a jump, or going back, the states
  // seen last are not this step's "before", and nothing is shown as changed.
  if (detail && run && view) {
    const key = `${run.runId}:${detail.mm}:${detail.table}`;
    const at = `${view.granularity}:${view.position}`;
    const h = history.current;
    if (!h || h.key !== key) history.current = { key, states: detail.states, at, prev: null };
    else if (h.at !== at) {
      const cameFromPrevious = h.at === `${view.granularity}:${view.position - 1}`;
      history.current = { key, states: detail.states, at, prev: cameFromPrevious ? h.states : null };
    }
  }
  const prev =
    history.current?.prev ?? (detail && view ? beforeFromChanges(detail, view.active, view.changes) : null);

  if (!run || !view) return null;
  if (!detail) {
    return (
      <section className="zl-detail" aria-labelledby="zl-detail-h">
        <h2 className="zl-h2" id="zl-detail-h">
          Page table
        </h2>
        <p className="muted" data-testid="table-detail-empty">
          Click a cell on a map (or focus a map and press an arrow key) to zoom into that page table: its{" "}
          {run.geometry.ptesPerTable} PTEs and where each one points.
        </p>
        <FollowToggle />
      </section>
    );
  }
  return (
    <DetailBody
      run={run}
      view={view}
      detail={detail}
      prev={prev}
      reduced={reduced}
      selectedSlot={
        selectedPage && selectedPage.mm === detail.mm ? selectedPage.page - detail.firstPage : null
      }
      onSelectSlot={(slot) =>
        store.getState().selectPage(slot === null ? null : { mm: detail.mm, page: detail.firstPage + slot })
      }
    />
  );
}

interface BodyProps {
  readonly run: RunInfo;
  readonly view: ViewState;
  readonly detail: TableDetailData;
  readonly prev: Uint8Array | null;
  readonly reduced: boolean;
  readonly selectedSlot: number | null;
  readonly onSelectSlot: (slot: number | null) => void;
}

function DetailBody({ run, view, detail, prev, reduced, selectedSlot, onSelectSlot }: BodyProps) {
  const g = run.geometry;
  const n = detail.states.length;
  const cell = n <= 256 ? 18 : 13;
  const mmName = run.trace.mmNames[detail.mm] ?? `mm ${detail.mm}`;
  const mmPages = run.trace.mmPages[detail.mm] ?? 0;
  const frames = useMemo(
    () => Array.from(detail.states, (s) => (run.pteStates[s]?.frame ?? "none") as FrameKind),
    [detail.states, run.pteStates],
  );
  const prevFrames = useMemo(
    () => (prev ? Array.from(prev, (s) => (run.pteStates[s]?.frame ?? "none") as FrameKind) : null),
    [prev, run.pteStates],
  );
  const fan = useMemo(
    () =>
      layoutFanIn({
        frameBySlot: frames,
        columns: COLUMNS,
        svgPxCell: cell,
        svgPxFrame: FRAME,
        ownColumns: OWN_COLUMNS,
        svgPxBandWidth: BAND_WIDTH,
      }),
    [frames, cell],
  );
  const leaving = useMemo(() => departures(prevFrames, frames), [prevFrames, frames]);
  // Where the departed PTEs pointed one step ago: ghost bands into the frame they left.
  const ghosts = useMemo(() => {
    if (!prevFrames || leaving.length === 0) return [];
    const before = layoutFanIn({
      frameBySlot: prevFrames,
      columns: COLUMNS,
      svgPxCell: cell,
      svgPxFrame: FRAME,
      ownColumns: OWN_COLUMNS,
      svgPxBandWidth: BAND_WIDTH,
    });
    // The shared frames sit at the same place in both layouts unless a KSM group appeared or
    // went: aim at where they are now.
    return ghostBands(before, leaving, COLUMNS, cell).map((b) => {
      const target = b.kind === "ksm" ? (fan.ksmFrame ?? before.ksmFrame) : fan.zeroFrame;
      const mid = target ? target.y + target.h / 2 : b.ty0;
      return { ...b, ty0: mid - 1, ty1: mid + 1 };
    });
  }, [prevFrames, leaving, cell, fan]);

  // Slots the current step touched (ViewState.active runs within this table).
  const activeSlots = useMemo(() => {
    const out = new Uint8Array(n);
    for (const a of view.active) {
      if (a.mm !== detail.mm) continue;
      for (let i = 0; i + 1 < a.runs.length; i += 2) {
        const lo = Math.max(a.runs[i]!, detail.firstPage);
        const hi = Math.min(a.runs[i]! + a.runs[i + 1]!, detail.firstPage + n);
        for (let p = lo; p < hi; p++) out[p - detail.firstPage] = 1;
      }
    }
    return out;
  }, [view.active, detail.mm, detail.firstPage, n]);

  const changedCount = prev ? detail.states.reduce((acc, s, i) => acc + (s !== prev[i] ? 1 : 0), 0) : 0;
  const inRam = (slot: number) => detail.firstPage + slot >= 0 && detail.firstPage + slot < mmPages;
  const sel = selectedSlot !== null && selectedSlot >= 0 && selectedSlot < n ? selectedSlot : null;
  const tableBytes = g.pteTableMemBytes;
  const pgste = g.pteTableMemBytes > g.pteTableVmPteBytes;

  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>) => {
    const cur = sel ?? 0;
    let next: number | null = null;
    if (e.key === "ArrowLeft") next = cur - 1;
    else if (e.key === "ArrowRight") next = cur + 1;
    else if (e.key === "ArrowUp") next = cur - COLUMNS;
    else if (e.key === "ArrowDown") next = cur + COLUMNS;
    else if (e.key === "Home") next = 0;
    else if (e.key === "End") next = n - 1;
    else if (e.key === "Escape") {
      const canvas = document.querySelector<HTMLCanvasElement>(
        `[data-testid="map-${mmName}"] canvas.map-canvas`,
      );
      canvas?.focus();
    } else return;
    e.preventDefault();
    e.stopPropagation();
    if (next !== null) {
      next = Math.max(0, Math.min(n - 1, sel === null ? cur : next));
      if (inRam(next)) onSelectSlot(next);
    }
  };

  // One handler for the whole grid: the clicked cell carries its slot.
  const onClick = (e: MouseEvent<HTMLDivElement>) => {
    const el = (e.target as Element).closest("[data-slot]");
    if (!el) return;
    const slot = Number(el.getAttribute("data-slot"));
    if (Number.isInteger(slot) && inRam(slot)) onSelectSlot(slot);
  };

  const selState = sel !== null ? detail.states[sel]! : 0;
  const selInfo = sel !== null ? run.pteStates[selState] : null;
  const summary = `${formatInt(fan.counts.zeropage)} PTEs point to the one shared zeropage frame, ${formatInt(fan.counts.own)} to frames of their own${fan.counts.ksm ? `, ${formatInt(fan.counts.ksm)} to a KSM page` : ""}, ${formatInt(fan.counts.none)} map nothing.`;

  return (
    <section
      className="zl-detail"
      aria-labelledby="zl-detail-h"
      data-testid="table-detail"
      data-table={detail.table}
      data-mm={detail.mm}
      data-ptes={n}
    >
      <h2 className="zl-h2" id="zl-detail-h">
        {mmName} host, {g.pteTableName} {formatInt(detail.table)}
        <span className="muted">
          {" "}
          · guest RAM {formatBytesShort(Math.max(0, detail.firstPage) * PAGE_SIZE)} –{" "}
          {formatBytesShort((detail.firstPage + n) * PAGE_SIZE)} · {n} PTEs
        </span>
      </h2>
      <p className="zl-detail-status">
        {!detail.present
          ? "No page table here: the PMD entry is empty, so nothing at all is allocated. The first fault in this range allocates one."
          : detail.huge
            ? `Mapped by a huge PMD: one PMD entry maps all ${n} pages at once.`
            : `The page table costs ${formatBytesShort(tableBytes)} of host memory${pgste ? ` (${n} PTEs × 8 B + ${n} PGSTEs × 8 B); VmPTE counts ${formatBytesShort(g.pteTableVmPteBytes)} of it` : ` (${n} PTEs × 8 B)`}. ${summary}`}
      </p>
      {changedCount > 0 && (
        <p className="zl-detail-changed" data-testid="pte-changed">
          This step changed {formatInt(changedCount)} PTE{changedCount === 1 ? "" : "s"} of this table
          (ringed)
          {leaving.length > 0
            ? `; ${formatInt(leaving.length)} left a shared frame for a frame of their own (unshare or copy-on-write).`
            : "."}
        </p>
      )}
      <div
        id="pte-grid"
        className="zl-fan-wrap"
        role="application"
        aria-roledescription="PTE grid"
        aria-label={`PTEs of ${g.pteTableName} ${formatInt(detail.table)} on the ${mmName} host. ${summary} Arrow keys choose a PTE; Escape returns to the map.`}
        // biome-ignore lint/a11y/noNoninteractiveTabindex: the PTE grid is a keyboard-operated widget (role application)
        tabIndex={0}
        onKeyDown={onKeyDown}
        onClick={onClick}
      >
        <FanInSvg
          run={run}
          detail={detail}
          fan={fan}
          cell={cell}
          frames={frames}
          prev={prev}
          activeSlots={activeSlots}
          leaving={leaving}
          ghosts={ghosts}
          reduced={reduced}
          selectedSlot={sel}
          inRam={inRam}
          stepKey={`${view.granularity}:${view.position}`}
        />
      </div>
      <PteLegend run={run} />
      <FollowToggle />
      {sel !== null && selInfo && (
        <p className="zl-pte-selected" data-testid="pte-selected">
          <strong>
            PTE {sel} (guest page {formatInt(detail.firstPage + sel)}, at{" "}
            {formatBytesShort((detail.firstPage + sel) * PAGE_SIZE)}):
          </strong>{" "}
          {selInfo.name}
          {selInfo.frame === "zeropage"
            ? ", pointing at the shared zeropage"
            : selInfo.frame === "own"
              ? ", its own 4 KiB frame"
              : selInfo.frame === "ksm"
                ? ", a shared KSM page"
                : ""}
          {detail.balloon[sel] ? "; the guest gave this page to the balloon" : ""}.
        </p>
      )}
    </section>
  );
}

interface SvgProps {
  readonly run: RunInfo;
  readonly detail: TableDetailData;
  readonly fan: FanInLayout;
  readonly cell: number;
  readonly frames: readonly FrameKind[];
  readonly prev: Uint8Array | null;
  readonly activeSlots: Uint8Array;
  readonly leaving: readonly { slot: number; from: "zeropage" | "ksm" }[];
  readonly ghosts: readonly Band[];
  readonly reduced: boolean;
  readonly selectedSlot: number | null;
  readonly inRam: (slot: number) => boolean;
  readonly stepKey: string;
}

function FanInSvg(props: SvgProps) {
  const { run, detail, fan, cell, frames, prev, activeSlots, leaving, ghosts, reduced, selectedSlot } = props;
  const g = run.geometry;
  const n = detail.states.length;
  const x0 = fan.grid.x + fan.grid.w;
  const x1 = fan.framesX;
  const pgste = g.pteTableMemBytes > g.pteTableVmPteBytes;
  const frameLabelX = fan.framesX + FRAME + 6;
  const frameOf = (slot: number): Rect | null => {
    const k = frames[slot];
    if (k === "zeropage") return fan.zeroFrame;
    if (k === "ksm") return fan.ksmFrame;
    if (k === "own") return ownFrameRect(fan, fan.ownIndexBySlot[slot]!, OWN_COLUMNS, FRAME);
    return null;
  };
  const selRect = selectedSlot !== null ? cellRect(fan, selectedSlot, COLUMNS, cell) : null;
  const selFrame = selectedSlot !== null ? frameOf(selectedSlot) : null;
  const arrows = useMemo(() => unshareArrows(fan, leaving), [fan, leaving]);
  // The new frame appears when its arrow arrives.
  const arrivalByOwn = new Map(
    arrows.map((a) => [fan.ownIndexBySlot[a.slot]!, a.delay + ARROW_DRAW_S * 0.8]),
  );
  const newOwn = new Set(leaving.map((l) => fan.ownIndexBySlot[l.slot]!));
  const zeroLeft = leaving.filter((l) => l.from === "zeropage").length;

  return (
    <svg
      className={`zl-fan${reduced ? " zl-reduced" : ""}`}
      viewBox={`0 0 ${fan.width} ${fan.height}`}
      width={fan.width}
      height={fan.height}
      role="img"
      aria-label="Zeropage fan-in: each PTE's arrow to the frame it maps"
      data-testid="fan-in"
    >
      <defs>
        <marker
          id="zl-arrow"
          viewBox="0 0 8 8"
          refX="7"
          refY="4"
          markerWidth="6"
          markerHeight="6"
          orient="auto"
        >
          <path d="M0,0 L8,4 L0,8 z" className="zl-arrowhead" />
        </marker>
      </defs>
      <text x={0} y={LABEL_SVG_PX - 8} className="zl-svg-label">
        {detail.present ? "the page table's PTEs" : "no page table"}
      </text>
      {/* Bands, behind everything. */}
      <g className="zl-bands">
        {fan.bands.map((b) => (
          <path key={`${b.kind}-${b.row}`} d={bandPath(x0, x1, b)} className={`zl-band zl-band-${b.kind}`} />
        ))}
      </g>
      {/* The PTE grid: the contents of the page-table page. */}
      <g className="zl-grid">
        <rect
          x={fan.grid.x - 2}
          y={fan.grid.y - 2}
          width={fan.grid.w + 4}
          height={fan.grid.h + 4}
          className={detail.present ? "zl-grid-frame" : "zl-grid-frame zl-absent"}
          rx={3}
        />
        {Array.from(detail.states, (s, slot) => {
          const r = cellRect(fan, slot, COLUMNS, cell);
          const info = run.pteStates[s];
          const cls = info ? info.contentClass : 0;
          const changed = prev !== null && prev[slot] !== s;
          const outside = !props.inRam(slot);
          const glyph = stateGlyph(info?.key ?? "none");
          return (
            <g
              // biome-ignore lint/suspicious/noArrayIndexKey: PTE slots are positions; the slot is the identity
              key={slot}
              className={`zl-pte zl-pte-c${cls}${outside ? " zl-outside" : ""}${changed ? " zl-changed" : ""}`}
              data-slot={slot}
              data-state={info?.key ?? "none"}
            >
              <rect x={r.x + 0.5} y={r.y + 0.5} width={r.w - 1} height={r.h - 1} rx={1.5} />
              {glyph && cell >= 13 && (
                <text x={r.x + r.w / 2} y={r.y + r.h / 2 + 0.5} className="zl-glyph">
                  {glyph}
                </text>
              )}
              {detail.balloon[slot] ? (
                <path
                  d={`M${r.x + r.w - 6},${r.y + 1} L${r.x + r.w - 1},${r.y + 1} L${r.x + r.w - 1},${r.y + 6} z`}
                  className="zl-balloon-flag"
                />
              ) : null}
              {activeSlots[slot] ? (
                <rect x={r.x + 1} y={r.y + 1} width={r.w - 2} height={r.h - 2} className="zl-active-ring" />
              ) : null}
            </g>
          );
        })}
      </g>
      {/* Unshare / COW: an arrow from the shared frame to each new frame, drawn along its length.
          Behind the frames, so that a block of many new frames stays readable; labels have halos. */}
      <g
        className={`zl-unshares${arrows.length > 32 ? " zl-many" : ""}`}
        key={`u-${props.stepKey}`}
        data-testid="unshare-arrows"
        data-count={arrows.length}
      >
        {arrows.map((a) => (
          <g key={a.slot} className={`zl-unshare zl-unshare-${a.from}`} data-slot={a.slot}>
            <path
              d={a.d}
              pathLength={1}
              className="zl-unshare-path"
              style={{ animationDelay: `${a.delay}s` }}
            />
            <path d={a.head} className="zl-unshare-head" style={{ animationDelay: `${a.delay}s` }} />
          </g>
        ))}
      </g>
      {/* Frames. */}
      <g className="zl-frames">
        <line
          x1={fan.grid.x + fan.grid.w + 2}
          y1={fan.grid.y - 2}
          x2={fan.tablePage.x}
          y2={fan.tablePage.y + fan.tablePage.h / 2}
          className="zl-table-link"
        />
        <rect
          x={fan.tablePage.x}
          y={fan.tablePage.y}
          width={fan.tablePage.w}
          height={fan.tablePage.h}
          className={detail.present ? "zl-table-page" : "zl-table-page zl-absent"}
        />
        {pgste && detail.present && (
          <line
            x1={fan.tablePage.x + fan.tablePage.w / 2}
            y1={fan.tablePage.y}
            x2={fan.tablePage.x + fan.tablePage.w / 2}
            y2={fan.tablePage.y + fan.tablePage.h}
            className="zl-table-split"
          />
        )}
        <text x={frameLabelX} y={fan.tablePage.y + 5} className="zl-svg-label">
          {detail.present
            ? `this ${g.pteTableName}: 1 page, ${formatBytesShort(g.pteTableMemBytes)}`
            : "page table: not allocated"}
        </text>
        <text x={frameLabelX} y={fan.tablePage.y + 17} className="zl-svg-note">
          {detail.present
            ? pgste
              ? `PTEs + PGSTEs; VmPTE counts ${formatBytesShort(g.pteTableVmPteBytes)}`
              : `${n} PTEs × 8 B`
            : "costs nothing until a fault"}
        </text>

        <rect
          x={fan.zeroFrame.x}
          y={fan.zeroFrame.y}
          width={fan.zeroFrame.w}
          height={fan.zeroFrame.h}
          className={`zl-frame zl-frame-zero${fan.counts.zeropage ? "" : " zl-unused"}`}
        />
        <text x={fan.zeroFrame.x} y={fan.zeroFrame.y - 6} className="zl-svg-label">
          shared zeropage: one frame for the whole host
        </text>
        <text x={frameLabelX} y={fan.zeroFrame.y + fan.zeroFrame.h / 2 + 4} className="zl-svg-count">
          ← {formatInt(fan.counts.zeropage)} PTE{fan.counts.zeropage === 1 ? "" : "s"}, no memory of their own
          {zeroLeft > 0 ? ` (${formatInt(zeroLeft)} just left)` : ""}
        </text>
        {fan.ksmFrame && (
          <>
            <rect
              x={fan.ksmFrame.x}
              y={fan.ksmFrame.y}
              width={fan.ksmFrame.w}
              height={fan.ksmFrame.h}
              className="zl-frame zl-frame-ksm"
            />
            <text x={fan.ksmFrame.x} y={fan.ksmFrame.y - 6} className="zl-svg-label">
              KSM page (shared, merged)
            </text>
            <text x={frameLabelX} y={fan.ksmFrame.y + fan.ksmFrame.h / 2 + 4} className="zl-svg-count">
              ← {formatInt(fan.counts.ksm)} PTE{fan.counts.ksm === 1 ? "" : "s"}
            </text>
          </>
        )}
        {fan.ownBlock && (
          <>
            <text x={fan.ownBlock.x} y={fan.ownBlock.y - 6} className="zl-svg-label">
              own frames: {formatInt(fan.ownCount)} × 4 KiB = {formatBytesShort(fan.ownCount * PAGE_SIZE)}
            </text>
            {Array.from({ length: fan.ownCount }, (_, i) => {
              const r = ownFrameRect(fan, i, OWN_COLUMNS, FRAME);
              return (
                <rect
                  // biome-ignore lint/suspicious/noArrayIndexKey: frames are positional
                  key={i}
                  x={r.x}
                  y={r.y}
                  width={r.w}
                  height={r.h}
                  className={`zl-frame zl-frame-own${newOwn.has(i) ? " zl-new" : ""}`}
                  style={arrivalByOwn.has(i) ? { animationDelay: `${arrivalByOwn.get(i)}s` } : undefined}
                />
              );
            })}
          </>
        )}
      </g>
      {/* Unshare / COW: the bands these PTEs had into the shared frame, fading out. */}
      <g className="zl-ghosts" key={props.stepKey}>
        {ghosts.map((b) => (
          <path
            key={`${b.kind}-${b.row}`}
            d={bandPath(x0, x1, b)}
            className={`zl-ghost zl-ghost-${b.kind}`}
            data-count={b.count}
          />
        ))}
      </g>
      {/* The selected PTE's own arrow. */}
      {selRect && (
        <g className="zl-selected">
          {selFrame && (
            <path
              d={
                link({
                  source: [selRect.x + selRect.w / 2, selRect.y + selRect.h / 2],
                  target: [selFrame.x - 1, selFrame.y + selFrame.h / 2],
                }) ?? ""
              }
              className="zl-sel-arrow"
              markerEnd="url(#zl-arrow)"
            />
          )}
          <rect
            x={selRect.x - 1}
            y={selRect.y - 1}
            width={selRect.w + 2}
            height={selRect.h + 2}
            className="zl-sel-ring"
          />
        </g>
      )}
    </svg>
  );
}

function PteLegend({ run }: { run: RunInfo }) {
  return (
    <ul className="zl-pte-legend" aria-label="PTE states">
      {run.pteStates.map((s) => (
        <li key={s.key}>
          <svg width="16" height="16" aria-hidden="true" className={`zl-pte zl-pte-c${s.contentClass}`}>
            <rect x="0.5" y="0.5" width="15" height="15" rx="1.5" />
            <text x="8" y="8.5" className="zl-glyph">
              {GLYPHS[s.key] ?? ""}
            </text>
          </svg>
          {s.name}
        </li>
      ))}
      <li>
        <svg width="16" height="16" aria-hidden="true">
          <rect x="0.5" y="0.5" width="15" height="15" rx="1.5" className="zl-legend-blank" />
          <path d="M10,1 L15,1 L15,6 z" className="zl-balloon-flag" />
        </svg>
        in the balloon
      </li>
    </ul>
  );
}
