/**
 * Narration builders: what happened at a step and why, from the trace alone (no kernel semantics
 * of their own: every sentence comes from event labels, rule titles, effect counts and counters).
 *
 *   actionSummary()  a whole scenario action: its events grouped by kind, their PTE transitions
 *                    summed by rule, and the counters before and after.
 *   stepSummary()    one table or PTE step: which pages, what changed (ViewState.changes).
 *   *Sentence()      the same as one plain-text sentence for the live region.
 */
import { pagesIn } from "../../base/runs.ts";
import { PAGE_SIZE } from "../../base/units.ts";
import { changeTone } from "../../state/counters.ts";
import type { CounterColumn, RunInfo, StepChange, ViewState } from "../../worker/api.ts";
import { formatBytesShort, formatInt } from "../format.ts";
import { labelInWords } from "./bookkeeping.ts";

export type NarrationRun = Pick<
  RunInfo,
  "trace" | "rules" | "counters" | "pteStates" | "outcome" | "outcomeReason"
>;

export interface EventGroup {
  readonly mm: number;
  readonly label: string;
  readonly events: number;
  readonly pages: number;
  readonly failed: number;
  /** Bookkeeping outside the kernel (page sets, notes): no PTE changes. */
  readonly bookkeeping: boolean;
}

export interface EffectLine {
  readonly mm: number;
  readonly rule: number;
  readonly from: number;
  readonly to: number;
  readonly count: number;
}

export interface CounterDelta {
  readonly mm: number;
  readonly key: string;
  readonly label: string;
  readonly unit: CounterColumn["unit"] | "pages";
  readonly before: number;
  readonly after: number;
  /** Memory spent ("cost"), saved ("gain") or neither, from the counter's sense. */
  readonly tone: "cost" | "gain" | "neutral";
}

export interface ActionSummary {
  readonly index: number;
  readonly label: string;
  readonly actor: string;
  readonly marker: string;
  readonly note: string;
  readonly firstEvent: number;
  readonly endEvent: number;
  readonly groups: readonly EventGroup[];
  readonly effects: readonly EffectLine[];
  readonly deltas: readonly CounterDelta[];
  /** Hypervisor counters that changed (balloon, QEMU's migration counters); mm −1. */
  readonly extras: readonly CounterDelta[];
  /** Distinct rules at work (event-level steps first, then PTE effects), without "unchanged". */
  readonly rules: readonly number[];
  /** Distinct call paths that issued the events (cause strings), in order of first use. */
  readonly causes: readonly string[];
}

/** Counters the narration reports, in this order. */
export const NARRATED_COUNTERS = [
  "rssAnonBytes",
  "zeropagePtes",
  "hugeZeroPmds",
  "vmPteBytes",
  "pteTables",
  "hostMemBytes",
];

const EXTRA_LABELS: Record<string, { label: string; unit: "pages" | "bytes" | "count"; scale?: number }> = {
  balloonPages: { label: "balloon", unit: "bytes", scale: PAGE_SIZE },
  migDuplicate: { label: "QEMU duplicate (zero) pages sent", unit: "pages" },
  migNormal: { label: "QEMU normal pages sent", unit: "pages" },
  migTransferredBytes: { label: "bytes transferred", unit: "bytes" },
  migRequests: { label: "postcopy page requests", unit: "count" },
  migUffdZeropage: { label: "UFFDIO_ZEROPAGE calls", unit: "count" },
  migUffdCopy: { label: "UFFDIO_COPY calls", unit: "count" },
};

export function counterValue(run: NarrationRun, e: number, mm: number, c: number): number {
  const t = run.trace;
  const n = run.counters.length;
  if (e < 0) return t.initialCounters[mm * n + c]!;
  return t.counters[(e * t.mmNames.length + mm) * n + c]!;
}

export function extraValue(run: NarrationRun, e: number, k: number): number {
  const t = run.trace;
  if (e < 0) return t.initialExtra[k]!;
  return t.extra[e * t.extraKeys.length + k]!;
}

function ruleIndex(run: NarrationRun, id: string): number {
  return run.rules.findIndex((r) => r.id === id);
}

/** Whether event e is bookkeeping outside the kernel (its only rule is "pageset"). */
export function isBookkeeping(run: NarrationRun, e: number): boolean {
  const t = run.trace;
  const pageset = ruleIndex(run, "pageset");
  if (t.effCount[e]! > 0) return false;
  if (t.stepCount[e] === 0) return false;
  for (let i = 0; i < t.stepCount[e]!; i++) if (t.steps[t.stepStart[e]! + i] !== pageset) return false;
  return true;
}

/** The event's label, with bookkeeping codes ("guest = 2") in words (bookkeeping.ts). */
export function eventLabel(run: NarrationRun, e: number): string {
  return labelInWords(run.trace.strings[run.trace.label[e]!] ?? "");
}

export function eventCause(run: NarrationRun, e: number): string {
  return run.trace.strings[run.trace.cause[e]!] ?? "";
}

/** Rules of event e: its event-level steps, then its PTE effects by count, without "unchanged". */
export function eventRules(run: NarrationRun, e: number): number[] {
  const t = run.trace;
  const out: number[] = [];
  const unchanged = ruleIndex(run, "unchanged");
  for (let i = 0; i < t.stepCount[e]!; i++) out.push(t.steps[t.stepStart[e]! + i]!);
  const eff: { rule: number; count: number }[] = [];
  for (let i = 0; i < t.effCount[e]!; i++) {
    const o = (t.effStart[e]! + i) * 4;
    eff.push({ rule: t.effects[o + 2]!, count: t.effects[o + 3]! });
  }
  eff.sort((a, b) => b.count - a.count);
  for (const x of eff) out.push(x.rule);
  return [...new Set(out)].filter((r) => r !== unchanged);
}

export function actionSummary(run: NarrationRun, index: number): ActionSummary {
  const t = run.trace;
  const a = t.actions[index]!;
  const groups = new Map<string, EventGroup>();
  const effects = new Map<string, EffectLine>();
  const rules: number[] = [];
  const causes: string[] = [];
  for (let e = a.firstEvent; e < a.endEvent; e++) {
    const mm = t.mm[e]!;
    const label = eventLabel(run, e);
    const key = `${mm}|${label}`;
    const g = groups.get(key);
    groups.set(key, {
      mm,
      label,
      events: (g?.events ?? 0) + 1,
      pages: (g?.pages ?? 0) + t.footprintPages[e]!,
      failed: (g?.failed ?? 0) + (t.ok[e] ? 0 : 1),
      bookkeeping: isBookkeeping(run, e),
    });
    for (const r of eventRules(run, e)) rules.push(r);
    const cause = eventCause(run, e);
    if (cause && !causes.includes(cause)) causes.push(cause);
    for (let i = 0; i < t.effCount[e]!; i++) {
      const o = (t.effStart[e]! + i) * 4;
      const line = { mm, from: t.effects[o]!, to: t.effects[o + 1]!, rule: t.effects[o + 2]! };
      const k = `${line.mm}|${line.from}|${line.to}|${line.rule}`;
      effects.set(k, { ...line, count: (effects.get(k)?.count ?? 0) + t.effects[o + 3]! });
    }
  }
  const before = a.firstEvent - 1;
  const after = a.endEvent - 1;
  const deltas: CounterDelta[] = [];
  for (let mm = 0; mm < t.mmNames.length; mm++) {
    for (const key of NARRATED_COUNTERS) {
      const c = run.counters.findIndex((x) => x.key === key);
      if (c < 0) continue;
      const b = counterValue(run, before, mm, c);
      const v = counterValue(run, after, mm, c);
      if (b !== v)
        deltas.push({
          mm,
          key,
          label: run.counters[c]!.label,
          unit: run.counters[c]!.unit,
          before: b,
          after: v,
          tone: changeTone(run.counters[c]!.sense, v - b),
        });
    }
  }
  const extras: CounterDelta[] = [];
  t.extraKeys.forEach((key, k) => {
    const info = EXTRA_LABELS[key];
    if (!info) return;
    const b = extraValue(run, before, k) * (info.scale ?? 1);
    const v = extraValue(run, after, k) * (info.scale ?? 1);
    if (b !== v)
      extras.push({ mm: -1, key, label: info.label, unit: info.unit, before: b, after: v, tone: "neutral" });
  });
  return {
    index,
    label: a.label,
    actor: a.actor,
    marker: a.marker,
    note: a.note,
    firstEvent: a.firstEvent,
    endEvent: a.endEvent,
    groups: [...groups.values()],
    effects: [...effects.values()]
      .filter((x) => x.count > 0)
      .sort((x, y) => x.mm - y.mm || y.count - x.count),
    deltas,
    extras,
    rules: withoutBookkeeping(run, [...new Set(rules)]),
    causes,
  };
}

/** Drops the "pageset" (bookkeeping) rule when a kernel rule is also at work. */
function withoutBookkeeping(run: NarrationRun, rules: number[]): number[] {
  const pageset = ruleIndex(run, "pageset");
  const rest = rules.filter((r) => r !== pageset);
  return rest.length > 0 ? rest : rules;
}

/** "+40 GiB", "−1,024 pages", "+102,400". */
export function formatDelta(d: Pick<CounterDelta, "before" | "after" | "unit">): string {
  const v = d.after - d.before;
  const sign = v > 0 ? "+" : v < 0 ? "−" : "±";
  const abs = Math.abs(v);
  if (d.unit === "bytes") return `${sign}${formatBytesShort(abs)}`;
  return `${sign}${formatInt(abs)}`;
}

export function formatValue(unit: CounterDelta["unit"], v: number): string {
  return unit === "bytes" ? formatBytesShort(v) : formatInt(v);
}

function capitalize(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

/** "1 page", "26,214,400 pages". */
export function countPages(n: number): string {
  return `${formatInt(n)} ${n === 1 ? "page" : "pages"}`;
}

/** "10,485,760 pages (40 GiB)". */
export function pagesText(pages: number): string {
  const n = formatInt(pages);
  return `${n} ${pages === 1 ? "page" : "pages"} (${formatBytesShort(pages * PAGE_SIZE)})`;
}

/** "none → zeropage", or "anon r/w, data (unchanged)". */
export function transitionText(run: NarrationRun, from: number, to: number): string {
  const name = (s: number) => run.pteStates[s]?.name ?? String(s);
  return from === to ? `${name(from)} (unchanged)` : `${name(from)} → ${name(to)}`;
}

/** A rule's one-line title; "no change" reads better as "left as they were". */
export function ruleTitle(run: NarrationRun, rule: number): string {
  const r = run.rules[rule];
  if (!r) return `rule ${rule}`;
  return r.id === "unchanged" ? "visited and left as they were" : r.title;
}

function mmName(run: NarrationRun, mm: number): string {
  return run.trace.mmNames[mm] ?? `mm ${mm}`;
}

/**
 * One sentence for the live region: "Action 4 of 4, precopy migration. On the source, 26,214,400
 * pages visited: 10,485,760 read fault maps the shared zeropage; ... Source RssAnon +40 GiB."
 */
export function actionSentence(run: NarrationRun, s: ActionSummary): string {
  const out: string[] = [`Action ${s.index + 1} of ${run.trace.actions.length}: ${s.label}.`];
  for (let mm = 0; mm < run.trace.mmNames.length; mm++) {
    const kernel = s.groups.filter((g) => g.mm === mm && !g.bookkeeping && g.pages > 0);
    if (kernel.length === 0) continue;
    const eff = s.effects.filter((x) => x.mm === mm);
    const kinds = kernel.map((g) => `${g.label}${g.events > 1 ? ` ×${g.events}` : ""}`).join(", ");
    const pages = kernel.reduce((n, g) => n + g.pages, 0);
    const parts = eff.map((x) => `${ruleTitle(run, x.rule)} (${countPages(x.count)})`);
    out.push(
      `On the ${mmName(run, mm)}, ${kinds} over ${countPages(pages)}${parts.length ? `: ${parts.join("; ")}` : ""}.`,
    );
  }
  const d = s.deltas.filter(
    (x) => x.key === "rssAnonBytes" || x.key === "zeropagePtes" || x.key === "vmPteBytes",
  );
  if (d.length > 0)
    out.push(`${capitalize(d.map((x) => `${mmName(run, x.mm)} ${x.label} ${formatDelta(x)}`).join(", "))}.`);
  if (s.note) out.push(s.note);
  return out.join(" ");
}

/** Which pages a fine step covered, from ViewState.active: "guest page 132,352" or a range. */
export interface StepPages {
  readonly mm: number;
  readonly first: number;
  readonly count: number;
  /** Page table holding the first page, and the first page's PTE slot in it. */
  readonly table: number;
  readonly slot: number;
  readonly ptesPerTable: number;
}

export function stepPages(run: NarrationRun, view: Pick<ViewState, "active">): StepPages | null {
  const a = view.active[0];
  if (!a || a.runs.length < 2) return null;
  const count = pagesIn(a.runs);
  if (count === 0) return null;
  const first = a.runs[0]!;
  const shift = run.trace.mmPteShift[a.mm] ?? 8;
  const per = 2 ** shift;
  const abs = first + (run.trace.mmPageOffset[a.mm] ?? 0);
  return { mm: a.mm, first, count, table: Math.floor(abs / per), slot: abs % per, ptesPerTable: per };
}

/** "guest page 132,352 (page table 517, PTE 0)" or "page table 517: guest pages 132,352–132,607". */
export function stepPagesText(p: StepPages): string {
  const n = (x: number) => formatInt(x);
  if (p.count === 1) return `guest page ${n(p.first)} (page table ${n(p.table)}, PTE ${p.slot})`;
  return `page table ${n(p.table)}: guest pages ${n(p.first)}–${n(p.first + p.count - 1)} (${n(p.count)} PTEs)`;
}

/** "none → zeropage: read fault maps the shared zeropage" per change, largest first. */
export function changesText(run: NarrationRun, changes: readonly StepChange[], single: boolean): string[] {
  return changes.map((c) => {
    const what = `${transitionText(run, c.from, c.to)}: ${ruleTitle(run, c.rule)}`;
    return single ? what : `${what} (${formatInt(c.count)} PTEs)`;
  });
}

/** One sentence for a table or PTE step. */
export function stepSentence(run: NarrationRun, view: ViewState): string {
  const e = view.event;
  if (e < 0) return "Start: nothing has happened yet.";
  const t = run.trace;
  const head = `Step ${formatInt(view.position)}, ${eventLabel(run, e)} on the ${mmName(run, t.mm[e]!)}`;
  const within =
    view.stepsInEvent > 1 ? ` (${formatInt(view.stepInEvent)} of ${formatInt(view.stepsInEvent)})` : "";
  const pages = stepPages(run, view);
  const out = [`${head}${within}${pages ? `, ${stepPagesText(pages)}` : ""}.`];
  if (!t.ok[e]) out.push(`It failed${failureText(run, e)}, and a failed event changes nothing.`);
  else if (view.changes && view.changes.length > 0)
    out.push(`${changesText(run, view.changes, pages?.count === 1).join("; ")}.`);
  else {
    const rules = eventRules(run, e).map((r) => ruleTitle(run, r));
    if (rules.length) out.push(`${rules.join("; ")}.`);
  }
  return out.join(" ");
}

export function failureText(run: NarrationRun, e: number): string {
  const t = run.trace;
  const msg = t.message[e]! >= 0 ? (t.strings[t.message[e]!] ?? "") : "";
  const errno = ERRNO_NAMES[t.errno[e]!] ?? "";
  if (errno && msg) return ` with ${errno} (${msg})`;
  if (errno) return ` with ${errno}`;
  return msg ? ` (${msg})` : "";
}

/** engine/trace.ts ERRNOS, by index (the trace stores the index). */
const ERRNO_NAMES = ["", "ENOMEM", "EEXIST", "EFAULT", "EINVAL", "ENOENT", "EAGAIN", "EBUSY"];
