/**
 * One before/after slide of a step, as standalone SVG (rasterize.ts makes the PNG): the story's
 * commit, the step, the sentence saying what differs and why, each kernel's maps side by side
 * (one <path> per colour, as view-svg.ts draws them), and the key counters of both hosts under
 * each kernel with the difference. White background, the maps' light colours.
 */
import type { MmCounters, TableGeometry, ViewState } from "../../worker/api.ts";
import { plainLine, xmlText } from "../export/export-data.ts";
import { cellSlots, gridFor, LIGHT_THEME, runPaths } from "../export/view-svg.ts";
import { formatBytesShort, formatInt } from "../format.ts";
import { DEFAULT_SLOT_NAMES, SLOT_KEYS, type SlotNames } from "../views/memory-map/classes.ts";

export interface SlideColumn {
  readonly kernel: string;
  /** "before 06201e00", "with 06201e00", "also". */
  readonly role: string;
  readonly geometry: TableGeometry;
  readonly view: Pick<ViewState, "mms">;
}

export interface SlideInput {
  readonly commit: string;
  readonly title: string;
  readonly columns: readonly SlideColumn[];
  readonly sentence: string;
  readonly why: string;
  readonly stepLabel: string;
  readonly link: string;
  readonly counters: readonly { key: keyof MmCounters; label: string; unit: "bytes" | "count" }[];
  /** The classes' names in the columns' runs (slotNames); an anonymous guest's when absent. */
  readonly names?: SlotNames;
}

const WIDTH = 1600;
const MARGIN = 40;

/** Words wrapped to lines of at most `max` characters. */
export function wrap(text: string, max: number): string[] {
  const out: string[] = [];
  let line = "";
  for (const w of plainLine(text).split(" ")) {
    if (line && line.length + 1 + w.length > max) {
      out.push(line);
      line = w;
    } else line = line ? `${line} ${w}` : w;
  }
  if (line) out.push(line);
  return out;
}

export function beforeAfterSvg(o: SlideInput): { svg: string; width: number; height: number } {
  const th = LIGHT_THEME;
  const parts: string[] = [];
  const text = (x: number, y: number, s: string, attrs: string): void => {
    parts.push(`<text x="${x}" y="${y}" ${attrs}>${xmlText(s)}</text>`);
  };
  let y = MARGIN + 30;
  text(MARGIN, y, `Before and after ${o.commit}`, `font-size="34" font-weight="700" fill="${th.text}"`);
  y += 30;
  text(MARGIN, y, `${plainLine(o.title)} · ${o.stepLabel}`, `font-size="18" fill="${th.muted}"`);
  for (const line of wrap(o.sentence, 120)) {
    y += 28;
    text(MARGIN, y, line, `font-size="21" fill="${th.text}"`);
  }
  if (o.why)
    for (const line of wrap(`Why: ${o.why}`, 140)) {
      y += 22;
      text(MARGIN, y, line, `font-size="16" fill="${th.muted}"`);
    }
  y += 24;
  // The maps: one column per kernel, one map per host.
  const colW = Math.floor((WIDTH - 2 * MARGIN - 24 * (o.columns.length - 1)) / o.columns.length);
  const top = y;
  let bottom = y;
  o.columns.forEach((c, ci) => {
    const x0 = MARGIN + ci * (colW + 24);
    let cy = top + 22;
    text(x0, cy, `${c.role}: ${c.kernel}`, `font-size="20" font-weight="700" fill="${th.text}"`);
    for (const m of c.view.mms) {
      const { columns, tablesPerCell, cells } = gridFor(m.tables);
      const cell = Math.max(1, Math.min(8, Math.floor(colW / columns)));
      const rows = Math.ceil(cells / columns);
      cy += 24;
      text(
        x0,
        cy,
        `${m.name} host · RssAnon ${formatBytesShort(m.counters.rssAnonBytes)}`,
        `font-size="16" fill="${th.text}"`,
      );
      cy += 8;
      const slots = cellSlots(m.tableClass, 0, m.tables, tablesPerCell);
      const { d } = runPaths(slots, columns, cell, x0, cy);
      parts.push(
        `<g data-kernel="${xmlText(c.kernel)}" data-mm="${xmlText(m.name)}">`,
        `<rect x="${x0}" y="${cy}" width="${columns * cell}" height="${rows * cell}" fill="${th.slots.absent}"/>`,
      );
      d.forEach((path, s) => {
        if (path && s !== 0) parts.push(`<path fill="${th.slots[SLOT_KEYS[s]!]}" d="${path}"/>`);
      });
      parts.push("</g>");
      cy += rows * cell;
    }
    bottom = Math.max(bottom, cy);
  });
  y = bottom + 30;
  // Legend, in a row (a second one where the run's names are long).
  const names = o.names ?? DEFAULT_SLOT_NAMES;
  let lx = MARGIN;
  SLOT_KEYS.forEach((k) => {
    const label = names[k].label;
    const w = 30 + label.length * 8;
    if (lx > MARGIN && lx + w > WIDTH - MARGIN) {
      lx = MARGIN;
      y += 26;
    }
    parts.push(
      `<rect x="${lx}" y="${y - 13}" width="16" height="16" fill="${th.slots[k]}" stroke="${th.border}"/>`,
    );
    text(lx + 22, y, label, `font-size="15" fill="${th.text}"`);
    lx += w;
  });
  // Counters: a row per host and counter, a column per kernel, and before − after.
  y += 34;
  const cx = (i: number) => MARGIN + 360 + i * 220;
  text(MARGIN, y, "at this step", `font-size="16" font-weight="700" fill="${th.muted}"`);
  for (const [i, c] of o.columns.entries())
    text(cx(i), y, c.kernel, `font-size="16" font-weight="700" fill="${th.muted}" text-anchor="end"`);
  text(
    cx(o.columns.length),
    y,
    "before − after",
    `font-size="16" font-weight="700" fill="${th.muted}" text-anchor="end"`,
  );
  const hosts = o.columns[0]?.view.mms.map((m) => m.name) ?? [];
  for (const mm of hosts)
    for (const k of o.counters) {
      y += 26;
      const vals = o.columns.map((c) => c.view.mms.find((m) => m.name === mm)?.counters[k.key] ?? 0);
      const f = (v: number) => (k.unit === "bytes" ? formatBytesShort(v) : formatInt(v));
      text(MARGIN, y, `${mm} ${k.label}`, `font-size="18" fill="${th.text}"`);
      for (const [i, v] of vals.entries())
        text(cx(i), y, f(v), `font-size="18" fill="${th.text}" text-anchor="end"`);
      const d = vals[0]! - vals[1]!;
      text(
        cx(o.columns.length),
        y,
        d === 0 ? "the same" : `${d > 0 ? "+" : "−"}${f(Math.abs(d))}`,
        `font-size="18" font-weight="700" fill="${d > 0 ? "#b3261e" : th.text}" text-anchor="end"`,
      );
    }
  y += 36;
  text(
    MARGIN,
    y,
    o.link,
    `font-size="12" fill="${th.muted}" font-family="ui-monospace, Menlo, Consolas, monospace"`,
  );
  const height = Math.ceil(y + MARGIN);
  const svg = [
    `<?xml version="1.0" encoding="UTF-8"?>`,
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" font-family="system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif" shape-rendering="crispEdges">`,
    `<title>${xmlText(`Zeropage Lab: before and after ${o.commit}, ${o.stepLabel}`)}</title>`,
    `<rect width="${WIDTH}" height="${height}" fill="${th.bg}"/>`,
    ...parts,
    "</svg>",
    "",
  ].join("\n");
  return { svg, width: WIDTH, height };
}
