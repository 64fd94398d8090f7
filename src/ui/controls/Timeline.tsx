/**
 * The scrubbable timeline: one band per scenario action on the shared trace axis (views/
 * trace-axis.ts), flags for the semantic markers, and a thumb at the current position. It is an
 * ARIA slider: arrows step, PageUp/PageDown move a whole event (or action), Home/End jump, and a
 * pointer drag seeks continuously (latest-wins in the store).
 *
 * Coordinates: u ∈ [0, 1] along the axis; cssPx only from getBoundingClientRect() at the pointer.
 */
import { type KeyboardEvent, type PointerEvent, useMemo, useRef } from "react";
import type { Granularity, RunInfo } from "../../worker/api.ts";
import { formatInt } from "../format.ts";
import { eventLabel } from "../narration/summarize.ts";
import { useApp, useAppStore } from "../store-context.tsx";
import { axisOf, markersOf } from "../views/derived.ts";
import { FLAG_FLIP_U, flagLanes, markerPosition } from "../views/markers.ts";
import {
  eventAtU,
  eventBoundaryStep,
  positionToU,
  type TraceAxis,
  uToPosition,
} from "../views/trace-axis.ts";
import { useWidth } from "../views/useWidth.ts";
import { GRANULARITY_LABELS } from "./StepControls.tsx";

export function Timeline() {
  const store = useAppStore();
  const run = useApp((s) => s.run);
  const position = useApp((s) => s.position);
  const granularity = useApp((s) => s.granularity);
  const dragging = useRef(false);
  const ax = useMemo(() => (run ? axisOf(run) : null), [run]);
  const markers = useMemo(() => (run ? markersOf(run) : []), [run]);
  const [widthRef, width] = useWidth();
  const lanes = useMemo(() => flagLanes(markers, width), [markers, width]);
  const laneCount = Math.max(1, ...lanes.map((l) => l + 1));
  if (!run || !ax) return <div className="timeline placeholder" aria-hidden="true" />;
  const t = run.trace;
  const total = run.counts[granularity];
  const u = positionToU(ax, granularity, position);

  const seekAtPointer = (e: PointerEvent<HTMLDivElement>) => {
    const r = e.currentTarget.getBoundingClientRect();
    const x = (e.clientX - r.left) / Math.max(1, r.width);
    store.getState().seek(uToPosition(ax, granularity, x));
  };

  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>) => {
    const s = store.getState();
    let next: number | null = null;
    switch (e.key) {
      case "ArrowLeft":
      case "ArrowDown":
        next = position - 1;
        break;
      case "ArrowRight":
      case "ArrowUp":
        next = position + 1;
        break;
      case "PageDown":
        next = eventBoundaryStep(ax, granularity, position, -1);
        break;
      case "PageUp":
        next = eventBoundaryStep(ax, granularity, position, 1);
        break;
      case "Home":
        next = 0;
        break;
      case "End":
        next = total;
        break;
      default:
        return;
    }
    e.preventDefault();
    e.stopPropagation();
    s.setPlaying(false);
    s.seek(Math.max(0, Math.min(total, next)));
  };

  return (
    <div className="timeline" ref={widthRef}>
      <div className="timeline-flags" aria-hidden="true" style={{ height: `${laneCount * 17 + 1}px` }}>
        {markers.map((m, i) => (
          <button
            type="button"
            tabIndex={-1}
            key={`${m.kind}-${m.event}-${m.u}`}
            className={`flag flag-${m.kind}${m.u > FLAG_FLIP_U ? " flip" : ""}`}
            style={{ left: `${m.u * 100}%`, bottom: `${(lanes[i] ?? 0) * 17 + 1}px` }}
            title={`${m.label} (M / Shift+M jump between markers)`}
            onClick={() => {
              const s = store.getState();
              s.setPlaying(false);
              s.seek(markerPosition(t, ax, granularity, m));
            }}
          >
            {m.name}
          </button>
        ))}
      </div>
      <div
        className="timeline-track"
        role="slider"
        tabIndex={0}
        aria-label="Timeline"
        aria-valuemin={0}
        aria-valuemax={total}
        aria-valuenow={position}
        aria-valuetext={valueText(run, ax, granularity, position, total)}
        aria-orientation="horizontal"
        onKeyDown={onKeyDown}
        onPointerDown={(e) => {
          if (e.button !== 0) return;
          e.currentTarget.setPointerCapture(e.pointerId);
          e.currentTarget.focus();
          dragging.current = true;
          store.getState().setPlaying(false);
          seekAtPointer(e);
        }}
        onPointerMove={(e) => {
          if (dragging.current) seekAtPointer(e);
        }}
        onPointerUp={() => {
          dragging.current = false;
        }}
        onPointerCancel={() => {
          dragging.current = false;
        }}
      >
        {t.actions.map((a, i) => (
          <div
            key={`${a.firstEvent}-${a.label}`}
            className={`band band-${i % 2} actor-${a.actor}`}
            style={{
              left: `${ax.actionStart_u[i]! * 100}%`,
              width: `${(ax.actionStart_u[i + 1]! - ax.actionStart_u[i]!) * 100}%`,
            }}
          >
            <span className="band-label">
              {i + 1}. {a.label}
            </span>
          </div>
        ))}
        {markers.map((m) => (
          <div
            key={`tick-${m.kind}-${m.event}-${m.u}`}
            className={`tick tick-${m.kind}`}
            style={{ left: `${m.u * 100}%` }}
          />
        ))}
        <div className="progress" style={{ transform: `scaleX(${u})` }} />
        <div className="playhead-layer" style={{ transform: `translateX(${u * 100}%)` }}>
          <div className="thumb" />
        </div>
      </div>
    </div>
  );
}

/** "step 120 of 800,033, by page table: precopy migration, read fault on the source". */
export function valueText(
  run: RunInfo,
  ax: TraceAxis,
  g: Granularity,
  position: number,
  total: number,
): string {
  const t = run.trace;
  const head = `step ${formatInt(position)} of ${formatInt(total)}, by ${GRANULARITY_LABELS[g].toLowerCase()}`;
  if (position === 0) return `${head}: the start`;
  if (g === "action") return `${head}: after ${t.actions[position - 1]?.label ?? ""}`;
  const e = eventAtU(ax, positionToU(ax, g, position) - 1e-12);
  const a = t.actions[t.action[e]!];
  const label = eventLabel(run, e);
  return `${head}: ${a?.label ?? ""}, ${label} on the ${t.mmNames[t.mm[e]!] ?? ""}`;
}
