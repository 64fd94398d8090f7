/**
 * Delta charts: one counter (RssAnon by default) of both runs overlaid, one track per mm, on the
 * aligned axis (series.ts): the left run solid, the right run dashed, the area between them shaded.
 * Divergences are ticks under the track; the cursor is the shared position; a click seeks there.
 * d3 computes scales and paths; React owns the DOM.
 */
import { area, line, scaleLinear } from "d3";
import { memo, useMemo } from "react";
import type { CompareCounter } from "../../state/compare.ts";
import type { CompareInfo, PairViewState, RunInfo } from "../../worker/api.ts";
import { formatBytesShort } from "../format.ts";
import { compactCount } from "../views/chart-series.ts";
import { useWidth } from "../views/useWidth.ts";
import { useCompare, useCompareStore } from "./context.tsx";
import { cursorU, overlayTracks, positionU, uToPosition } from "./series.ts";

const HEIGHT = 64;

const COUNTER_CHOICES: readonly { key: CompareCounter; label: string }[] = [
  { key: "rssAnonBytes", label: "RssAnon" },
  { key: "hostMemBytes", label: "host memory" },
  { key: "vmPteBytes", label: "VmPTE" },
  { key: "zeropagePtes", label: "zeropage PTEs" },
  { key: "anonPages", label: "anon pages" },
];

function fmt(unit: string, v: number): string {
  return unit === "bytes" ? formatBytesShort(v) : compactCount(v);
}

export const CompareCharts = memo(function CompareCharts({
  info,
  runs,
  view,
}: {
  info: CompareInfo;
  runs: readonly [RunInfo, RunInfo];
  view: PairViewState;
}) {
  const store = useCompareStore();
  const counter = useCompare((s) => s.chartCounter);
  const g = useCompare((s) => s.granularity);
  const [ref, width] = useWidth();
  const tracks = useMemo(() => overlayTracks(info, runs, counter), [info, runs, counter]);
  const w = Math.max(100, width);
  const x = scaleLinear().domain([0, 1]).range([0, w]);
  const cu = cursorU(info, view);
  const divU = useMemo(
    () => info.divergences.map((d) => positionU(info, "table", d.positions.table)),
    [info],
  );
  return (
    <section className="panel cmp-charts" aria-label="Counters of both runs" data-testid="compare-charts">
      <div className="cmp-div-head">
        <h2 className="zl-h2">Counters, both runs on one axis</h2>
        <label>
          counter{" "}
          <select
            value={counter}
            onChange={(e) => store.getState().setChartCounter(e.target.value as CompareCounter)}
            aria-label="Counter to chart"
          >
            {COUNTER_CHOICES.map((c) => (
              <option key={c.key} value={c.key}>
                {c.label}
              </option>
            ))}
          </select>
        </label>
        <span className="cmp-legend">
          <span className="cmp-line cmp-line-left" aria-hidden="true" /> left ({sideName(runs, 0)})
          <span className="cmp-line cmp-line-right" aria-hidden="true" /> right ({sideName(runs, 1)})
        </span>
      </div>
      <div ref={ref} className="cmp-chart-plots">
        {tracks.map((t) => {
          const y = scaleLinear()
            .domain([0, t.max > 0 ? t.max : 1])
            .range([HEIGHT - 2, 4]);
          const [a, b] = [t.series.find((s) => s.side === 0), t.series.find((s) => s.side === 1)];
          const path = (s: typeof a) =>
            s
              ? (line<number>()
                  .x((i) => x(s.u[i]!))
                  .y((i) => y(s.values[i]!))(Array.from(s.values.keys())) ?? "")
              : "";
          const gap =
            a && b && a.u.length === b.u.length
              ? (area<number>()
                  .x((i) => x(a.u[i]!))
                  .y0((i) => y(a.values[i]!))
                  .y1((i) => y(b.values[i]!))(Array.from(a.values.keys())) ?? "")
              : "";
          const at = (s: typeof a) => {
            if (!s) return null;
            let i = 0;
            while (i + 1 < s.u.length && s.u[i + 1]! <= cu) i++;
            return s.values[i]!;
          };
          const va = at(a);
          const vb = at(b);
          return (
            <figure key={t.mm} className="cmp-track" data-testid={`compare-chart-${t.mm}`}>
              <figcaption>
                {t.mm}: {t.label}{" "}
                <span className="muted">
                  left {va === null ? "–" : fmt(t.unit, va)} · right {vb === null ? "–" : fmt(t.unit, vb)}
                  {va !== null && vb !== null
                    ? ` · right − left ${vb - va >= 0 ? "+" : "−"}${fmt(t.unit, Math.abs(vb - va))}`
                    : ""}
                </span>
              </figcaption>
              <svg
                width={w}
                height={HEIGHT + 8}
                role="img"
                aria-label={`${t.mm} ${t.label} over the aligned runs, left solid, right dashed`}
                onPointerDown={(e) => {
                  const r = e.currentTarget.getBoundingClientRect();
                  store.getState().seek(uToPosition(info, g, (e.clientX - r.left) / Math.max(1, r.width)));
                }}
              >
                <path className="cmp-gap" d={gap} />
                <path className="cmp-series cmp-series-left" d={path(a)} />
                <path className="cmp-series cmp-series-right" d={path(b)} />
                {divU.map((u, i) => (
                  <line
                    key={info.divergences[i]!.index}
                    className={i === info.first ? "cmp-tick cmp-tick-first" : "cmp-tick"}
                    x1={x(u)}
                    x2={x(u)}
                    y1={HEIGHT + 2}
                    y2={HEIGHT + 8}
                  />
                ))}
                <line className="cmp-cursor" x1={x(cu)} x2={x(cu)} y1={0} y2={HEIGHT + 8} />
                <text className="max-label" x={4} y={11}>
                  {fmt(t.unit, t.max)}
                </text>
              </svg>
            </figure>
          );
        })}
      </div>
    </section>
  );
});

/** A side in the legend: its kernel, and its scenario too when the two sides run different ones. */
function sideName(runs: readonly [RunInfo, RunInfo], side: 0 | 1): string {
  const r = runs[side];
  return runs[0].title === runs[1].title ? r.kernel.id : `${r.title}, ${r.kernel.id}`;
}
