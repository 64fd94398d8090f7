/**
 * A sweep's results as CSV (RFC 4180): one row per point (value × kernel), bytes as whole numbers,
 * an empty cell for a side the run never used. The page's export and the command line's --csv
 * write the same text.
 */
import { formatParameterValue, PARAMETERS } from "../scenario/parameters.ts";
import { MEASURES, SIDES } from "./measures.ts";
import type { SweepPoint } from "./run.ts";

function cell(v: string | number | null): string {
  if (v === null) return "";
  const s = String(v);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function sweepCsv(points: readonly SweepPoint[]): string {
  const param = points[0]?.param;
  const size = param !== undefined && PARAMETERS[param].kind === "size";
  const header = [
    param ?? "value",
    ...(size ? [`${param}_text`] : []),
    "kernel",
    "outcome",
    ...MEASURES.flatMap((m) => SIDES.map((s) => `${s}_${m.id}_bytes`)),
    "problem",
  ];
  const rows = points.map((p) => [
    p.value,
    ...(size ? [formatParameterValue(p.param, p.value)] : []),
    p.kernel,
    p.outcome ?? "",
    ...MEASURES.flatMap((m) => SIDES.map((s) => p.values[m.id][s])),
    p.problem,
  ]);
  return `${[header, ...rows].map((r) => r.map(cell).join(",")).join("\r\n")}\r\n`;
}
