/**
 * Fixed-width text tables for the terminal: the first column left-aligned, the others
 * right-aligned (numbers), columns two spaces apart, a rule under the header.
 */
import { formatBytes, formatCount } from "../base/units.ts";
import type { COUNTERS } from "../engine/index.ts";

type CounterInfo = (typeof COUNTERS)[number];

export function formatTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!)))
      .join("  ")
      .trimEnd();
  const rule = widths.map((w) => "-".repeat(w)).join("  ");
  return [line(header), rule, ...rows.map(line)].join("\n");
}

/** A counter value in its unit: "100 GiB", "10,485,760". */
export function formatCounter(info: Pick<CounterInfo, "unit">, value: number): string {
  return info.unit === "bytes" ? formatBytes(value) : formatCount(value);
}
