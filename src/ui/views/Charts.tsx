/**
 * Counter charts on the shared trace axis, one track per counter (RssAnon, host memory, VmPTE,
 * zeropage PTEs, balloon) with the source and destination overlaid, aligned under the timeline.
 * d3 computes scales and paths; React owns the DOM. A cursor marks the current step; clicking a
 * track seeks to the event under the pointer; hovering shows that event's values.
 *
 * Coordinates: u ∈ [0, 1] (trace-axis.ts) → cssPx through xScale; plotWidth_cssPx is measured.
 */
import { line, scaleLinear } from "d3";
import { memo, useId, useMemo, useState } from "react";
import type { RunInfo } from "../../worker/api.ts";
import { formatBytesShort, formatInt } from "../format.ts";
import { eventLabel } from "../narration/summarize.ts";
import { useApp, useAppStore } from "../store-context.tsx";
import { chartTracks, compactCount, type Track } from "./chart-series.ts";
import { axisOf, markersOf } from "./derived.ts";
import {
  MeasuredControls,
  MeasuredLegendItem,
  MeasuredMarks,
  MeasuredTable,
  useMeasuredRun,
} from "./Measured.tsx";
import { type MeasuredSeries, maxOfMeasured, measuredSeries } from "./measured-overlay.ts";
import { eventAtU, positionToU } from "./trace-axis.ts";
import { useWidth } from "./useWidth.ts";

/**
 * Height of the SVG's coordinate space; the SVG is stretched to the track's CSS height (which
 * shrinks on short screens) with preserveAspectRatio="none", and strokes do not scale.
 */
const TRACK_HEIGHT_UNITS = 32;

export function formatUnit(unit: Track["unit"], v: number): string {
  return unit === "bytes" ? formatBytesShort(v) : unit === "pages" ? compactCount(v) : compactCount(v);
}

export const SERIES_CLASS = ["series-src", "series-dst"];

function seriesClass(mm: number): string {
  return mm < 0 ? "series-guest" : (SERIES_CLASS[mm] ?? "series-other");
}

const TrackPlot = memo(function TrackPlot({
  track,
  width,
  actionStarts,
  measured,
}: {
  track: Track;
  width: number;
  actionStarts: Float64Array;
  /** A measured run's values on this track (Measured.tsx), drawn over the model's. */
  measured?: readonly MeasuredSeries[] | undefined;
}) {
  const h = TRACK_HEIGHT_UNITS;
  const x = scaleLinear().domain([0, 1]).range([0, width]);
  const top = Math.max(track.max, measured ? maxOfMeasured(measured) : 0);
  const y = scaleLinear()
    .domain([0, top > 0 ? top : 1])
    .range([h - 1.5, 3]);
  const paths = track.series.map((s) => {
    const idx = Array.from({ length: s.u.length }, (_, i) => i);
    const d =
      line<number>()
        .x((i) => x(s.u[i]!))
        .y((i) => y(s.values[i]!))(idx) ?? "";
    return { s, d };
  });
  const summary = track.series
    .map(
      (s) =>
        `${s.name} ${formatUnit(track.unit, s.at(-1))} → ${formatUnit(track.unit, s.values.at(-1) ?? 0)}`,
    )
    .join("; ");
  return (
    <>
      <svg
        className="track-svg"
        width={width}
        height={h}
        viewBox={`0 0 ${width} ${h}`}
        preserveAspectRatio="none"
        role="img"
        aria-label={`${track.label} over the trace: ${summary}`}
      >
        <line className="grid" x1={0} x2={width} y1={y(track.max)} y2={y(track.max)} />
        <line className="baseline" x1={0} x2={width} y1={h - 0.5} y2={h - 0.5} />
        {Array.from(actionStarts.subarray(1, -1)).map((u) => (
          <line key={u} className="action-rule" x1={x(u)} x2={x(u)} y1={0} y2={h} />
        ))}
        {paths.map(({ s, d }) => (
          <path key={s.mm} className={`series ${seriesClass(s.mm)}`} d={d} />
        ))}
        {measured && measured.length > 0 && <MeasuredMarks series={measured} x={x} y={y} />}
      </svg>
      <span className="max-label" aria-hidden="true">
        {formatUnit(track.unit, top)}
      </span>
    </>
  );
});

/** The screens on which the charts start folded (styles.css uses the same query for flat tracks). */
function shortScreen(): boolean {
  return (
    typeof window !== "undefined" && window.matchMedia("(max-height: 820px) and (min-width: 701px)").matches
  );
}

export function Charts() {
  const store = useAppStore();
  const run = useApp((s) => s.run);
  const position = useApp((s) => s.position);
  const granularity = useApp((s) => s.granularity);
  const view = useApp((s) => s.view);
  const [plotRef, width] = useWidth();
  const [hover, setHover] = useState<number | null>(null);
  // Short desktop screens (a 1280 × 720 laptop) open with the charts folded, so the memory views
  // keep the height; the timeline stays, and one click unfolds them.
  const [open, setOpen] = useState(() => !shortScreen());
  const bodyId = useId();
  const ax = useMemo(() => (run ? axisOf(run) : null), [run]);
  const tracks = useMemo(() => (run && ax ? chartTracks(run, ax) : []), [run, ax]);
  const markers = useMemo(() => (run ? markersOf(run) : []), [run]);
  const measuredRun = useMeasuredRun();
  const measured = useMemo(
    () =>
      measuredRun && run && ax
        ? new Map(
            tracks.map((tr) => [tr.id, measuredSeries(measuredRun, ax, run.trace.mmNames.length, tr.id)]),
          )
        : null,
    [measuredRun, run, ax, tracks],
  );
  if (!run || !ax) return null;
  const u = positionToU(ax, granularity, position);
  // The step's slot: from where the step started to where it ended. At action granularity the
  // cursor ends a whole action's slot, which is also where the next action's marker stands, so the
  // shaded slot says which action the step was (step 3 "inflate" ends where "migration" begins).
  const uStart = position > 0 ? positionToU(ax, granularity, position - 1) : u;
  const uAtPointer = (e: React.PointerEvent<HTMLDivElement>) => {
    const r = e.currentTarget.getBoundingClientRect();
    return Math.max(0, Math.min(1, (e.clientX - r.left) / Math.max(1, r.width)));
  };
  const t = run.trace;
  const current = (track: Track, mm: number): number => {
    // The view's counters are exact mid-event; the trace has them at event ends.
    if (track.id !== "balloon" && view && view.mms[mm]) {
      const c = view.mms[mm]!.counters as unknown as Record<string, number>;
      if (track.id in c) return c[track.id]!;
    }
    const s = track.series.find((x) => x.mm === mm);
    return s ? s.at(view ? view.event : -1) : 0;
  };

  return (
    <div className={open ? "tracks" : "tracks collapsed"} data-testid="charts">
      <div className="tracks-head">
        <button
          type="button"
          className="dock-toggle"
          aria-expanded={open}
          aria-controls={bodyId}
          title={open ? "Hide the counter charts" : "Show the counter charts"}
          onClick={() => setOpen(!open)}
        >
          <span className="chevron" aria-hidden="true" />
          Counters
        </button>
        <div className="tracks-head-plot">
          <ul className="legend" aria-label="Legend">
            {t.mmNames.map((name, mm) => (
              <li key={name} className="legend-item">
                <span className={`swatch ${seriesClass(mm)}`} aria-hidden="true" />
                {name}
              </li>
            ))}
            <li className="legend-item">
              <span className="swatch series-guest" aria-hidden="true" />
              guest
            </li>
            {measuredRun && <MeasuredLegendItem run={measuredRun} />}
          </ul>
          <p className="axis-note">
            x: scenario actions, each as wide as 1 + √(its events) · click a track to go there
          </p>
          <MeasuredControls />
        </div>
      </div>
      <div className="tracks-body" id={bodyId} hidden={!open}>
        <div className="track-labels">
          {tracks.map((tr) => (
            <div key={tr.id} className="track-label" title={tr.description}>
              <span className="track-name">{tr.label}</span>
              <span className="track-values">
                {tr.series.map((s) => (
                  <span key={s.mm} className={`track-value ${seriesClass(s.mm)}`}>
                    {formatUnit(tr.unit, hover !== null ? s.at(hover) : current(tr, s.mm))}
                  </span>
                ))}
              </span>
            </div>
          ))}
        </div>
        <div
          className="track-plots"
          ref={plotRef}
          onPointerMove={(e) => setHover(eventAtU(ax, uAtPointer(e)))}
          onPointerLeave={() => setHover(null)}
          onPointerDown={(e) => {
            if (e.button !== 0) return;
            const st = store.getState();
            st.setPlaying(false);
            void st.seekToEvent(eventAtU(ax, uAtPointer(e)));
          }}
        >
          {width > 0 &&
            tracks.map((tr) => (
              <div key={tr.id} className="track-plot">
                <TrackPlot
                  track={tr}
                  width={width}
                  actionStarts={ax.actionStart_u}
                  measured={measured?.get(tr.id)}
                />
              </div>
            ))}
          {markers.map((m) => (
            <div
              key={`${m.kind}-${m.event}-${m.u}`}
              className={`marker-rule marker-${m.kind}`}
              style={{ left: `${m.u * 100}%` }}
              aria-hidden="true"
            />
          ))}
          {hover !== null && (
            <div className="hover-layer" style={{ transform: `translateX(${ax.eventEnd_u[hover]! * 100}%)` }}>
              <div className="hover-line" />
              <div className={ax.eventEnd_u[hover]! > 0.7 ? "hover-tip left" : "hover-tip"}>
                {hoverText(run, hover)}
              </div>
            </div>
          )}
          {u > uStart && (
            <div
              className="step-slot"
              style={{ left: `${uStart * 100}%`, width: `${(u - uStart) * 100}%` }}
              data-testid="chart-step-slot"
              aria-hidden="true"
            />
          )}
          <div className="playhead-layer" style={{ transform: `translateX(${u * 100}%)` }} aria-hidden="true">
            <div className="cursor-line" />
          </div>
        </div>
      </div>
      <CountersByAction run={run} tracks={tracks} />
      {measuredRun && <MeasuredTable run={measuredRun} actionLabels={t.actions.map((a) => a.label)} />}
    </div>
  );
}

function hoverText(run: RunInfo, e: number): string {
  const t = run.trace;
  const a = t.actions[t.action[e]!];
  return `event ${formatInt(e + 1)}: ${eventLabel(run, e)} (${t.mmNames[t.mm[e]!]}) · ${a?.label ?? ""}`;
}

/** The charts as a table: every counter after each action (the accessible alternative). */
const CountersByAction = memo(function CountersByAction({
  run,
  tracks,
}: {
  run: RunInfo;
  tracks: readonly Track[];
}) {
  const t = run.trace;
  const rows = [
    { label: "start", event: -1 },
    ...t.actions.map((a) => ({ label: a.label, event: a.endEvent - 1 })),
  ];
  const cols = tracks.flatMap((tr) => tr.series.map((s) => ({ tr, s })));
  return (
    <details className="chart-table">
      <summary>Counters after each action (table)</summary>
      <div className="table-scroll">
        <table data-testid="chart-table">
          <caption>The charts' counters after each scenario action</caption>
          <thead>
            <tr>
              <th scope="col">after</th>
              {cols.map(({ tr, s }) => (
                <th scope="col" key={`${tr.id}-${s.mm}`}>
                  {tr.label}
                  <span className="muted"> · {s.name}</span>
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {rows.map((r, i) => (
              <tr key={r.event}>
                <th scope="row">
                  {i > 0 ? `${i}. ` : ""}
                  {r.label}
                </th>
                {cols.map(({ tr, s }) => (
                  <td key={`${tr.id}-${s.mm}`} data-value={s.at(r.event)}>
                    {formatUnit(tr.unit, s.at(r.event))}
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </details>
  );
});
