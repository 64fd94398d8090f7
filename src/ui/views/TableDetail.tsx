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
 * Three parts: table-detail/derive.ts derives what to show from the run and the step (the worker
 * says what every state means: run.pteStates, content class and frame), fan-in.ts and paths.ts lay
 * it out, and FanInSvg.tsx and this file draw it.
 */
import { type KeyboardEvent, type MouseEvent, useEffect, useMemo, useState } from "react";
import type { RunInfo, TableDetail as TableDetailData, ViewState } from "../../worker/api.ts";
import { formatInt } from "../format.ts";
import { useApp, useAppStore } from "../store-context.tsx";
import { useReducedMotion } from "./memory-map/hooks.ts";
import {
  activeSlotsOf,
  beforeFromChanges,
  changedCount,
  changedSentence,
  fanInSummary,
  framesOf,
  lastTouchedTable,
  pteKeyTarget,
  type SeenTable,
  seeTable,
  selectedPteText,
  slotInRam,
  tableRange,
  tableStatus,
} from "./table-detail/derive.ts";
import { FanInSvg } from "./table-detail/FanInSvg.tsx";
import {
  aimedGhostBands,
  cellSvgPxFor,
  departures,
  layoutTableFanIn,
  PTE_COLUMNS,
} from "./table-detail/fan-in.ts";
import { GLYPHS } from "./table-detail/glyphs.ts";
import "./memory-map/maps.css";

function FollowToggle() {
  const follow = useApp((s) => s.followStep);
  const setFollow = useApp((s) => s.setFollowStep);
  return (
    <label className="zl-check zl-follow">
      <input type="checkbox" checked={follow} onChange={(e) => setFollow(e.target.checked)} />
      Follow the step: show the page table the step touched last
    </label>
  );
}

/**
 * The table's states before this step: those the view saw one step earlier (kept as state, updated
 * while rendering when the table or the step changes), else the step's own record of what it did.
 */
function useStatesBefore(run: RunInfo | null, view: ViewState | null): Uint8Array | null {
  const detail = view?.table ?? null;
  const [seen, setSeen] = useState<SeenTable | null>(null);
  const now =
    detail && run && view ? seeTable(seen, run.runId, detail, view.granularity, view.position) : seen;
  if (now !== seen) setSeen(now);
  const fromChanges = useMemo(
    () => (detail && view ? beforeFromChanges(detail, view.active, view.changes) : null),
    [detail, view],
  );
  return now?.prev ?? fromChanges;
}

export function TableDetail() {
  const store = useAppStore();
  const run = useApp((s) => s.run);
  const view = useApp((s) => s.view);
  const selectedPage = useApp((s) => s.selectedPage);
  const storeReduced = useApp((s) => s.reducedMotion);
  const mediaReduced = useReducedMotion();
  const reduced = storeReduced || mediaReduced;
  const followStep = useApp((s) => s.followStep);
  const prev = useStatesBefore(run, view);

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
  const cell = cellSvgPxFor(n);
  const mmName = run.trace.mmNames[detail.mm] ?? `mm ${detail.mm}`;
  const mmPages = run.trace.mmPages[detail.mm] ?? 0;
  const frames = useMemo(() => framesOf(detail.states, run.pteStates), [detail.states, run.pteStates]);
  const prevFrames = useMemo(() => (prev ? framesOf(prev, run.pteStates) : null), [prev, run.pteStates]);
  const fan = useMemo(() => layoutTableFanIn(frames, cell), [frames, cell]);
  const leaving = useMemo(() => departures(prevFrames, frames), [prevFrames, frames]);
  // Where the departed PTEs pointed one step ago: ghost bands into the frame they left.
  const ghosts = useMemo(
    () => aimedGhostBands(prevFrames, leaving, cell, fan),
    [prevFrames, leaving, cell, fan],
  );
  const activeSlots = useMemo(() => activeSlotsOf(detail, view.active), [detail, view.active]);

  const changed = changedSentence(changedCount(detail.states, prev), leaving.length);
  const inRam = (slot: number) => slotInRam(detail, mmPages, slot);
  const sel = selectedSlot !== null && selectedSlot >= 0 && selectedSlot < n ? selectedSlot : null;
  const summary = fanInSummary(fan.counts);

  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>) => {
    const target = pteKeyTarget(e.key, sel, n, PTE_COLUMNS);
    if (target === null) return;
    e.preventDefault();
    e.stopPropagation();
    if (target === "escape") {
      document.querySelector<HTMLCanvasElement>(`[data-testid="map-${mmName}"] canvas.map-canvas`)?.focus();
    } else if (inRam(target)) onSelectSlot(target);
  };

  // One handler for the whole grid: the clicked cell carries its slot.
  const onClick = (e: MouseEvent<HTMLDivElement>) => {
    const el = (e.target as Element).closest("[data-slot]");
    if (!el) return;
    const slot = Number(el.getAttribute("data-slot"));
    if (Number.isInteger(slot) && inRam(slot)) onSelectSlot(slot);
  };

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
          · guest RAM {tableRange(detail)} · {n} PTEs
        </span>
      </h2>
      <p className="zl-detail-status">{tableStatus(detail, g, summary)}</p>
      {changed && (
        <p className="zl-detail-changed" data-testid="pte-changed">
          {changed}
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
      {sel !== null && <SelectedPteNote run={run} detail={detail} slot={sel} />}
    </section>
  );
}

function SelectedPteNote({ run, detail, slot }: { run: RunInfo; detail: TableDetailData; slot: number }) {
  const info = run.pteStates[detail.states[slot]!];
  if (!info) return null;
  const text = selectedPteText(detail, slot, info);
  return (
    <p className="zl-pte-selected" data-testid="pte-selected">
      <strong>{text.where}</strong> {text.what}
    </p>
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
