/**
 * A sweep's results as small multiples: one panel per measure (final and peak RssAnon
 * and host memory) and side (source, destination), the parameter across, bytes up on one scale
 * shared by every panel (so panels compare at a glance), one line per kernel. d3 computes the
 * scales and paths; React owns the SVG. A click on a point opens that run (onOpen); the table
 * below lists every point with the same action for keyboard and screen-reader users.
 *
 * Colours are written into the SVG (not CSS variables), so that the SVG exported from the page
 * (exportSvg) looks the same on its own.
 */
import { line, scaleLinear, scalePoint } from "d3";
import { forwardRef } from "react";
import { GiB, KiB, MiB } from "../../base/units.ts";
import { formatParameterValue, MEASURES, PARAMETERS, SIDES, type SweepRun } from "../../state/sweep.ts";
import type { SweepPoint, VariantId } from "../../worker/api.ts";
import { formatBytesShort } from "../format.ts";

/** One colour per kernel line, distinct in light and dark themes and for common colour blindness. */
export const KERNEL_COLOURS = ["#2563eb", "#c2410c", "#059669", "#9333ea", "#b45309", "#0891b2"];
/** A dash per kernel too: the lines stay apart without colour. */
const DASHES = ["", "6 3", "2 3", "8 3 2 3", "1 2", "10 4"];

const PANEL_W = 300;
const PANEL_H = 150;
const M = { top: 22, right: 24, bottom: 30, left: 58 };

export interface SmallMultiplesProps {
  readonly run: SweepRun;
  readonly onOpen: (valueIndex: number, kernel: VariantId) => void;
}

/**
 * Byte axes tick at round numbers of a binary unit (0, 20, 40 … GiB), not of bytes (d3's ticks of
 * a byte domain fall on 20e9 B, written 18.6 GiB): the unit is the largest of GiB, MiB, KiB that
 * `hi` reaches.
 */
export function byteUnit(hi: number): number {
  for (const unit of [GiB, MiB, KiB]) if (hi >= unit) return unit;
  return 1;
}

export function byteTicks(lo: number, hi: number, count: number): number[] {
  const unit = byteUnit(Math.max(Math.abs(lo), Math.abs(hi)));
  return scaleLinear()
    .domain([lo / unit, hi / unit])
    .ticks(count)
    .map((t) => t * unit);
}

/** [0, max] widened to a round number of the unit, for the shared y scale. */
export function niceByteTop(max: number, count: number): number {
  const unit = byteUnit(max);
  const top = scaleLinear()
    .domain([0, max / unit])
    .nice(count)
    .domain()[1]!;
  return top * unit;
}

function pointAt(run: SweepRun, v: number, k: number): SweepPoint | null {
  return run.points[v * run.spec.kernels.length + k] ?? null;
}

export const SmallMultiples = forwardRef<SVGSVGElement, SmallMultiplesProps>(function SmallMultiples(
  { run, onOpen },
  ref,
) {
  const { spec, values } = run;
  const cols = SIDES.length;
  const rows = MEASURES.length;
  const width = cols * PANEL_W;
  const height = rows * PANEL_H + 34;
  const sized = PARAMETERS[spec.param].kind === "size";
  const innerW = PANEL_W - M.left - M.right;
  const innerH = PANEL_H - M.top - M.bottom;
  const xLinear = scaleLinear()
    .domain([0, Math.max(1, ...values.map((v) => (typeof v === "number" ? v : 0)))])
    .range([0, innerW]);
  if (sized && values.length > 0)
    xLinear.domain([Math.min(...(values as number[])), Math.max(...(values as number[]))]);
  const xPoint = scalePoint<number>()
    .domain(values.map((_, i) => i))
    .range([0, innerW])
    .padding(0.5);
  const x = (i: number) => (sized ? xLinear(values[i] as number) : (xPoint(i) ?? 0));
  let max = 1;
  for (const p of run.points)
    if (p) for (const m of MEASURES) for (const s of SIDES) max = Math.max(max, p.values[m.id][s] ?? 0);
  const y = scaleLinear()
    .domain([0, niceByteTop(max, 4)])
    .range([innerH, 0]);
  const yTicks = byteTicks(0, y.domain()[1]!, 4);
  const [x0, x1] = xLinear.domain() as [number, number];
  const xTicks: { at: number; text: string }[] = sized
    ? byteTicks(x0, x1, 5).map((t) => ({ at: xLinear(t), text: formatBytesShort(t) }))
    : values.map((v, i) => ({ at: xPoint(i) ?? 0, text: String(v) }));
  const label = PARAMETERS[spec.param].label;
  return (
    <svg
      ref={ref}
      className="zs-multiples"
      viewBox={`0 0 ${width} ${height}`}
      width={width}
      height={height}
      role="img"
      aria-label={`Small multiples: ${MEASURES.map((m) => m.label).join(", ")} on the source and the destination against ${label}, one line per kernel`}
      fontFamily="system-ui, sans-serif"
      fontSize={11}
      data-testid="sweep-multiples"
    >
      {MEASURES.map((m, r) =>
        SIDES.map((side, c) => {
          const ox = c * PANEL_W + M.left;
          const oy = r * PANEL_H + M.top;
          return (
            <g key={`${m.id}-${side}`} transform={`translate(${ox},${oy})`} data-panel={`${m.id}-${side}`}>
              <text x={0} y={-8} fontWeight={600} fill="currentColor">
                {m.label} · {side}
              </text>
              <rect width={innerW} height={innerH} fill="none" stroke="#9ca3af" strokeWidth={0.5} />
              {yTicks.map((t) => (
                <g key={`y${t}`} transform={`translate(0,${y(t)})`}>
                  <line x2={innerW} stroke="#9ca3af" strokeWidth={0.4} strokeDasharray="2 3" />
                  <text x={-5} dy="0.32em" textAnchor="end" fill="currentColor" opacity={0.75}>
                    {formatBytesShort(t)}
                  </text>
                </g>
              ))}
              {xTicks.map((t) => (
                <text
                  key={`x${t.text}`}
                  x={t.at}
                  y={innerH + 14}
                  textAnchor="middle"
                  fill="currentColor"
                  opacity={0.75}
                >
                  {t.text}
                </text>
              ))}
              {spec.kernels.map((kernel, k) => {
                const colour = KERNEL_COLOURS[k % KERNEL_COLOURS.length]!;
                const pts: [number, number][] = [];
                values.forEach((_, v) => {
                  const val = pointAt(run, v, k)?.values[m.id][side];
                  if (val !== null && val !== undefined) pts.push([x(v), y(val)]);
                });
                const d = line()(pts);
                return (
                  <g key={kernel} data-kernel={kernel}>
                    {d && (
                      <path
                        d={d}
                        fill="none"
                        stroke={colour}
                        strokeWidth={1.8}
                        strokeDasharray={DASHES[k % DASHES.length]}
                      />
                    )}
                    {values.map((value, v) => {
                      const p = pointAt(run, v, k);
                      if (!p) return null;
                      const val = p.values[m.id][side];
                      const what = `${kernel}, ${label} ${formatParameterValue(spec.param, value)}`;
                      if (p.problem)
                        return (
                          <text
                            key={`p${String(value)}`}
                            x={x(v)}
                            y={innerH - 3}
                            textAnchor="middle"
                            fill={colour}
                            fontWeight={700}
                          >
                            ×<title>{`${what}: cannot run: ${p.problem}`}</title>
                          </text>
                        );
                      if (val === null) return null;
                      return (
                        // biome-ignore lint/a11y/noStaticElementInteractions: the table under the chart offers the same action by keyboard
                        <circle
                          key={`p${String(value)}`}
                          className="zs-point"
                          cx={x(v)}
                          cy={y(val)}
                          r={3.6}
                          fill={colour}
                          stroke="#ffffff"
                          strokeWidth={1}
                          data-point={`${v}-${kernel}`}
                          onClick={() => onOpen(v, kernel)}
                        >
                          <title>{`${what}: ${m.label} on the ${side} ${formatBytesShort(val)}${p.outcome && p.outcome !== "completed" ? ` (${p.outcome})` : ""}. Click to open this run.`}</title>
                        </circle>
                      );
                    })}
                  </g>
                );
              })}
            </g>
          );
        }),
      )}
      <g transform={`translate(${M.left},${rows * PANEL_H + 14})`} data-legend="">
        {spec.kernels.map((kernel, k) => (
          <g key={kernel} transform={`translate(${k * 190},0)`}>
            <line
              x2={26}
              y1={0}
              y2={0}
              stroke={KERNEL_COLOURS[k % KERNEL_COLOURS.length]}
              strokeWidth={2}
              strokeDasharray={DASHES[k % DASHES.length]}
            />
            <text x={32} dy="0.32em" fill="currentColor">
              {kernel}
            </text>
          </g>
        ))}
      </g>
    </svg>
  );
});

/** The chart as a stand-alone SVG file: its text in a dark grey (currentColor has no page). */
export function exportSvg(svg: SVGSVGElement): string {
  const copy = svg.cloneNode(true) as SVGSVGElement;
  copy.setAttribute("xmlns", "http://www.w3.org/2000/svg");
  copy.setAttribute("style", "color:#1c2026;background:#ffffff");
  return `<?xml version="1.0" encoding="UTF-8"?>\n${new XMLSerializer().serializeToString(copy)}\n`;
}
