/**
 * Measured against model: for each migration mode, the balloon run minus the control run, on both
 * sides, row by row, each with a tolerance that README.md ("Tolerances") justifies.
 *
 * Why differences: a real QEMU process holds more than guest RAM (its heap, the TCG translation
 * buffer, migration buffers), and a real guest kernel owns memory of its own. Both are the same in
 * the balloon run and in the control run, so the difference between them is what the balloon
 * changes, which is what the model predicts.
 *
 * Pure: no I/O. The check (check.ts) and the unit test (check.test.ts) both use it.
 */
import { formatPath, ruleById } from "../../src/engine/index.ts";
import type { Mode, ModelRun, RuleCounts } from "./model.ts";

/** What the comparison reads from one measured run (measure.ts ScenarioMeasurement has it). */
export interface MeasuredRun {
  readonly id: string;
  readonly balloon: boolean;
  readonly mode: Mode;
  /** Guest RAM in the balloon after inflation (bytes). */
  readonly balloonBytes: number;
  readonly phases: readonly {
    readonly phase: string;
    readonly host: "source" | "destination";
    readonly rssAnonKiB: number;
    readonly vmPteKiB: number;
  }[];
  readonly migration: { readonly duplicate: number; readonly normal: number };
}

export type Unit = "KiB" | "pages";

/** Tolerances, in the row's unit (README.md "Tolerances" says where each comes from). */
export const TOLERANCE = {
  /** RssAnon rows: 16 MiB. */
  rssKiB: 16 * 1024,
  /** query-migrate page counts: 16 MiB of pages. */
  pages: 4096,
  /** VmPTE rows: 16 page tables. */
  vmPteKiB: 64,
} as const;

export interface Row {
  readonly mode: Mode;
  readonly id: string;
  readonly label: string;
  readonly unit: Unit;
  /** Balloon run minus control run. */
  readonly measured: number;
  readonly model: number;
  readonly tolerance: number;
  readonly ok: boolean;
  /** The model's rules (or QEMU call path) behind the model's difference, largest first. */
  readonly rules: string;
}

interface RowSpec {
  readonly id: string;
  readonly label: string;
  readonly unit: Unit;
  readonly tolerance: number;
  readonly measured: (r: MeasuredRun) => number;
  readonly model: (m: ModelRun) => number;
  readonly rules: (b: ModelRun, c: ModelRun) => string;
}

function phaseOf(r: MeasuredRun, phase: string, host: "source" | "destination") {
  const p = r.phases.find((x) => x.phase === phase && x.host === host);
  if (!p) throw new Error(`run ${r.id} has no '${phase}' measurement on the ${host}`);
  return p;
}

function modelAt(m: ModelRun, phase: keyof ModelRun["phaseAction"], host: "source" | "destination") {
  const i = m.phaseAction[phase];
  if (i === undefined) throw new Error(`model run ${m.id} has no action for '${phase}'`);
  const mem = m.afterAction[i]?.[host];
  if (!mem) throw new Error(`model run ${m.id} has no ${host} after action ${i}`);
  return mem;
}

/** "do_anonymous_page.zeropage +131,072 pages, do_anonymous_page.write −131,072 pages" (largest first). */
export function ruleDelta(b: RuleCounts, c: RuleCounts, top = 2): string {
  const ids = new Set([...Object.keys(b), ...Object.keys(c)]);
  const delta = [...ids]
    .map((id) => ({ id, d: (b[id] ?? 0) - (c[id] ?? 0) }))
    .filter((x) => x.d !== 0)
    .sort((x, y) => Math.abs(y.d) - Math.abs(x.d) || x.id.localeCompare(y.id));
  if (delta.length === 0) return "(no rule: nothing differs)";
  return delta
    .slice(0, top)
    .map((x) => `${x.id} ${x.d > 0 ? "+" : "−"}${Math.abs(x.d).toLocaleString("en-US")} pages`)
    .join(", ");
}

/** The QEMU call path behind most of the source's reads, shortened to its last three calls. */
function mainCause(m: ModelRun): string {
  const best = Object.entries(m.sourceReadCauses).sort((a, b) => b[1] - a[1])[0];
  if (!best) return "(no read on the source)";
  const calls = best[0].replace(/^qemu: /, "").split(" → ");
  return `qemu: ${calls.slice(-3).join(" → ")}`;
}

const ROWS: readonly RowSpec[] = [
  {
    id: "balloon-frees",
    label: "source RssAnon: inflating the balloon",
    unit: "KiB",
    tolerance: TOLERANCE.rssKiB,
    measured: (r) => phaseOf(r, "ballooned", "source").rssAnonKiB - phaseOf(r, "filled", "source").rssAnonKiB,
    model: (m) => modelAt(m, "ballooned", "source").rssAnonKiB - modelAt(m, "filled", "source").rssAnonKiB,
    rules: (b, c) => ruleDelta(b.rules.balloon, c.rules.balloon),
  },
  {
    id: "source-growth",
    label: "source RssAnon: growth during migration",
    unit: "KiB",
    tolerance: TOLERANCE.rssKiB,
    measured: (r) =>
      phaseOf(r, "migrated", "source").rssAnonKiB - phaseOf(r, "ballooned", "source").rssAnonKiB,
    model: (m) => modelAt(m, "migrated", "source").rssAnonKiB - modelAt(m, "ballooned", "source").rssAnonKiB,
    rules: (b, c) => ruleDelta(b.rules.migrationSource, c.rules.migrationSource),
  },
  {
    id: "destination-rss",
    label: "destination RssAnon after migration",
    unit: "KiB",
    tolerance: TOLERANCE.rssKiB,
    measured: (r) => phaseOf(r, "migrated", "destination").rssAnonKiB,
    model: (m) => modelAt(m, "migrated", "destination").rssAnonKiB,
    rules: (b, c) => ruleDelta(b.rules.migrationDestination, c.rules.migrationDestination),
  },
  {
    id: "source-vmpte-growth",
    label: "source VmPTE: growth during migration",
    unit: "KiB",
    tolerance: TOLERANCE.vmPteKiB,
    measured: (r) => phaseOf(r, "migrated", "source").vmPteKiB - phaseOf(r, "ballooned", "source").vmPteKiB,
    model: (m) => modelAt(m, "migrated", "source").vmPteKiB - modelAt(m, "ballooned", "source").vmPteKiB,
    rules: (b, c) => ruleDelta(b.rules.migrationSource, c.rules.migrationSource),
  },
  {
    id: "destination-vmpte",
    label: "destination VmPTE after migration",
    unit: "KiB",
    tolerance: TOLERANCE.vmPteKiB,
    measured: (r) => phaseOf(r, "migrated", "destination").vmPteKiB,
    model: (m) => modelAt(m, "migrated", "destination").vmPteKiB,
    rules: (b, c) => ruleDelta(b.rules.migrationDestination, c.rules.migrationDestination),
  },
  {
    id: "duplicate",
    label: "query-migrate duplicate (zero pages)",
    unit: "pages",
    tolerance: TOLERANCE.pages,
    measured: (r) => r.migration.duplicate,
    model: (m) => m.migration.duplicate,
    rules: (b) => mainCause(b),
  },
  {
    id: "normal",
    label: "query-migrate normal (pages sent in full)",
    unit: "pages",
    tolerance: TOLERANCE.pages,
    measured: (r) => r.migration.normal,
    model: (m) => m.migration.normal,
    rules: (b) => mainCause(b),
  },
];

export const MODES: readonly Mode[] = ["precopy", "postcopy"];

export function runId(balloon: boolean, mode: Mode): string {
  return `${balloon ? "balloon" : "control"}-${mode}`;
}

/** Every row, for every mode that has both a balloon and a control run. */
export function compareRuns(measured: readonly MeasuredRun[], model: readonly ModelRun[]): Row[] {
  const rows: Row[] = [];
  const find = <T extends { id: string }>(xs: readonly T[], id: string, what: string): T => {
    const x = xs.find((r) => r.id === id);
    if (!x) throw new Error(`no ${what} run '${id}'`);
    return x;
  };
  for (const mode of MODES) {
    if (!measured.some((r) => r.mode === mode)) continue;
    const mb = find(measured, runId(true, mode), "measured");
    const mc = find(measured, runId(false, mode), "measured");
    const pb = find(model, runId(true, mode), "model");
    const pc = find(model, runId(false, mode), "model");
    for (const spec of ROWS) {
      const measuredDelta = spec.measured(mb) - spec.measured(mc);
      const modelDelta = spec.model(pb) - spec.model(pc);
      rows.push({
        mode,
        id: spec.id,
        label: spec.label,
        unit: spec.unit,
        measured: measuredDelta,
        model: modelDelta,
        tolerance: spec.tolerance,
        ok: Math.abs(measuredDelta - modelDelta) <= spec.tolerance,
        rules: spec.rules(pb, pc),
      });
    }
  }
  return rows;
}

function formatValue(v: number, unit: Unit): string {
  if (unit === "pages")
    return `${v < 0 ? "−" : v > 0 ? "+" : ""}${Math.abs(Math.round(v)).toLocaleString("en-US")}`;
  const abs = Math.abs(v);
  const sign = v < 0 ? "−" : v > 0 ? "+" : "";
  return abs >= 1024 ? `${sign}${(abs / 1024).toFixed(1)} MiB` : `${sign}${Math.round(abs)} KiB`;
}

export function formatCell(v: number, unit: Unit): string {
  return formatValue(v, unit);
}

export function formatTolerance(t: number, unit: Unit): string {
  return `±${formatValue(t, unit).replace(/^\+/, "")}`;
}

/** Rule ids named in a rules cell, with their titles and call paths (for the footnotes). */
export function ruleNotes(rows: readonly Row[]): string[] {
  const ids = new Set<string>();
  for (const r of rows)
    for (const part of r.rules.split(", ")) {
      const id = /^(\S+) [+−]/.exec(part)?.[1];
      if (id && ruleById(id)) ids.add(id);
    }
  return [...ids].sort().map((id) => {
    const rule = ruleById(id)!;
    return `${id}: ${rule.title} (${formatPath(rule.path)})`;
  });
}
