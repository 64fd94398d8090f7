/**
 * Plain-language sentences for divergences, built from the rules that fired on each side: what the
 * event did differently ("the source's read fault (precopy migration) allocates a zeroed anonymous
 * page on the left but maps the shared zeropage on the right (mm_forbids_zeropage)"), how much, and
 * which kernel decision made the difference.
 *
 * Rule titles start with the event ("read fault maps the shared zeropage"); the words the two
 * titles share are said once, as the subject, and the rest become the two verbs.
 */
import { formatBytes, formatCount, PAGE_SIZE } from "../base/units.ts";
import { type Frame, ruleAt, type VariantId } from "../engine/index.ts";
import { forbidsRuleText } from "./policy.ts";

/** One PTE transition of an event, summed over its pages: from → to, by its main rule. */
export interface Transition {
  readonly from: number;
  readonly to: number;
  readonly count: number;
  readonly rule: number;
}

export interface StepView {
  /** Event index, or -1 when this side has no event in the pair. */
  readonly event: number;
  readonly mm: string | null;
  /** Event kind (events.ts EVENT_KINDS), "" when there is no event. */
  readonly kind: string;
  readonly label: string;
  readonly action: string;
  readonly kernel: VariantId;
  /** Transitions that change the PTE (from ≠ to). */
  readonly changes: readonly Transition[];
}

/** The rests of two titles that both start with the event's name, else null. */
export function verbs(a: string, b: string, label: string): [string, string] | null {
  const p = `${label} `;
  return a.startsWith(p) && b.startsWith(p) ? [a.slice(p.length), b.slice(p.length)] : null;
}

export interface Decision {
  /** The kernel function where the two paths differ. */
  readonly fn: string;
  /**
   * "answer": it answers differently ("= true" / "= false"); "asked": only one path asks it, with
   * an answer (`left`/`right` holds the answer, or what the other path does instead); "parting":
   * the paths part after it (`left`/`right` name the next functions).
   */
  readonly how: "answer" | "asked" | "parting";
  readonly left: string;
  readonly right: string;
}

/**
 * Where two rules' call paths differ: a frame with the same function and a different note
 * (mm_forbids_zeropage "= true" against "= false"), else the last frame they share before they
 * part. Null if they share no first frame.
 */
export function decisionBetween(a: readonly Frame[], b: readonly Frame[]): Decision | null {
  for (const fa of a) {
    if (fa.note === undefined) continue;
    const fb = b.find((f) => f.fn === fa.fn);
    if (fb && fb.note !== undefined && fb.note !== fa.note)
      return { fn: fa.fn, how: "answer", left: fa.note, right: fb.note };
  }
  let i = 0;
  while (i < a.length && i < b.length && a[i]!.fn === b[i]!.fn) i++;
  if (i === 0 || i === a.length || i === b.length) return null;
  const fa = a[i]!;
  const fb = b[i]!;
  const said = (f: Frame) => (f.note ? `${f.fn} ${f.note}` : f.fn);
  if (fb.file && fb.note) return { fn: fb.fn, how: "asked", left: said(fa), right: fb.note };
  if (fa.file && fa.note) return { fn: fa.fn, how: "asked", left: fa.note, right: said(fb) };
  return { fn: a[i - 1]!.fn, how: "parting", left: fa.fn, right: fb.fn };
}

function pagesText(n: number): string {
  return `${formatCount(n)} page${n === 1 ? "" : "s"} (${formatBytes(n * PAGE_SIZE)})`;
}

/**
 * "the source's read fault (precopy migration)"; for bookkeeping events, whose labels are
 * sentences or assignments: "mig.received = 1 on the destination (precopy migration)".
 */
export function subjectOf(v: StepView): string {
  const action = v.action ? ` (${v.action})` : "";
  if (v.kind === "note" || v.kind === "pageset") return `${v.label}${v.mm ? ` on the ${v.mm}` : ""}${action}`;
  return `${v.mm ? `the ${v.mm}'s ` : "the "}${v.label}${action}`;
}

/** The subject of a pair: said once when both sides run the same event, else both. */
export function pairSubject(l: StepView, r: StepView): string {
  if (l.event < 0) return subjectOf(r);
  if (r.event < 0 || (l.label === r.label && l.mm === r.mm)) return subjectOf(l);
  return `${subjectOf(l)} on the left and ${subjectOf({ ...r, action: "" })} on the right`;
}

/** The transition that moves the most pages from `from`, if any. */
function mainFrom(changes: readonly Transition[], from: number): Transition | null {
  let best: Transition | null = null;
  for (const t of changes) if (t.from === from && (!best || t.count > best.count)) best = t;
  return best;
}

function pagesFrom(changes: readonly Transition[], from: number): number {
  let n = 0;
  for (const t of changes) if (t.from === from) n += t.count;
  return n;
}

export interface Explanation {
  readonly text: string;
  readonly detail: string;
  readonly decision: string | null;
  /** Pages of the headline difference. */
  readonly pages: number;
}

/**
 * Explains a pair in which both sides act on pages differently. `forbids` holds each side's
 * mm_forbids_zeropage() at the event, for the decision sentence.
 */
export function explainPages(l: StepView, r: StepView, forbids: readonly [boolean, boolean]): Explanation {
  // Headline: the from-state whose pages the two sides treat most differently.
  const froms = new Set<number>();
  for (const t of l.changes) froms.add(t.from);
  for (const t of r.changes) froms.add(t.from);
  let from = -1;
  let weight = -1;
  for (const f of froms) {
    const a = mainFrom(l.changes, f);
    const b = mainFrom(r.changes, f);
    const differs = !a || !b || a.to !== b.to || a.count !== b.count;
    const w = (differs ? 1e15 : 0) + Math.max(pagesFrom(l.changes, f), pagesFrom(r.changes, f));
    if (w > weight) {
      weight = w;
      from = f;
    }
  }
  const same = l.event >= 0 && r.event >= 0 && l.label === r.label && l.mm === r.mm;
  const subject = pairSubject(l, r);
  const a = from >= 0 ? mainFrom(l.changes, from) : null;
  const b = from >= 0 ? mainFrom(r.changes, from) : null;
  const ra = a ? ruleAt(a.rule) : null;
  const rb = b ? ruleAt(b.rule) : null;
  const decision = ra && rb ? decisionBetween(ra.path, rb.path) : null;
  const tag = decision && decision.how !== "parting" ? ` (${decision.fn})` : "";
  let text: string;
  let pages = 0;
  if (ra && rb && a && b && (a.to !== b.to || ra.id !== rb.id)) {
    pages = Math.max(a.count, b.count);
    const v = same ? verbs(ra.title, rb.title, l.label) : null;
    text = v
      ? `${subject} ${v[0]} on the left but ${v[1]} on the right${tag}: ${pagesText(pages)}`
      : `${subject}: on the left, ${ra.title}; on the right, ${rb.title}${tag}: ${pagesText(pages)}`;
  } else if (ra && a && b) {
    pages = Math.max(a.count, b.count);
    text =
      a.count !== b.count
        ? `${subject}: ${ra.title}, for ${formatCount(a.count)} pages on the left and ${formatCount(b.count)} on the right`
        : `${subject}: ${ra.title}, for ${pagesText(a.count)} on each side, but not the same pages`;
  } else if (ra && a) {
    pages = a.count;
    text = `${actsOn(subject, ra.title, same ? l.label : "")} on the left but not on the right: ${pagesText(pages)}`;
  } else if (rb && b) {
    pages = b.count;
    text = `${actsOn(subject, rb.title, same ? r.label : "")} on the right but not on the left: ${pagesText(pages)}`;
  } else {
    text = `${subject} changes different pages on the two sides`;
  }
  let detail = "";
  if (decision?.how === "answer" && decision.fn === "mm_forbids_zeropage") {
    detail = `mm_forbids_zeropage() is ${forbids[0]} on the left (${l.kernel} ${forbidsRuleText(l.kernel)}) and ${forbids[1]} on the right (${r.kernel} ${forbidsRuleText(r.kernel)}).`;
  } else if (decision?.how === "answer") {
    detail = `${decision.fn}() answers "${decision.left}" on the left and "${decision.right}" on the right.`;
  } else if (decision?.how === "asked") {
    const fnLeft = ra?.path.some((f) => f.fn === decision.fn && f.file) ?? false;
    const asks = fnLeft ? "left" : "right";
    const other = fnLeft ? decision.right : decision.left;
    detail = `Only the ${asks} kernel asks ${decision.fn}() here ("${fnLeft ? decision.left : decision.right}"); the other path has "${other}" instead.`;
    if (decision.fn === "mm_forbids_zeropage")
      detail += ` mm_forbids_zeropage() is ${forbids[0]} on the left and ${forbids[1]} on the right.`;
  } else if (decision) {
    detail = `The call paths part after ${decision.fn}(): ${decision.left}() on the left, ${decision.right}() on the right.`;
  } else if (ra && rb && ra.id !== rb.id) {
    detail = `Different rules: ${ra.id} on the left, ${rb.id} on the right.`;
  }
  return { text, detail, decision: decision?.fn ?? null, pages };
}

/** "the source's read fault maps …" when the title starts with the event's name, else "…: title". */
function actsOn(subject: string, title: string, label: string): string {
  return label && title.startsWith(`${label} `)
    ? `${subject} ${title.slice(label.length + 1)}`
    : `${subject}: ${title}`;
}

/** Explains an event that only one side performs. */
export function explainOneSided(v: StepView, side: "left" | "right"): Explanation {
  const main = [...v.changes].sort((x, y) => y.count - x.count)[0];
  const what = main ? `: ${ruleAt(main.rule).title}, ${pagesText(main.count)}` : "";
  return {
    text: `only the ${side} runs ${subjectOf(v)}${what}`,
    detail: "",
    decision: null,
    pages: main?.count ?? 0,
  };
}

/** Explains a pair whose page transitions agree but whose counters change differently. */
export function explainCounters(
  l: StepView,
  r: StepView,
  mm: string,
  label: string,
  deltas: readonly [number, number],
  unit: "bytes" | "pages" | "count",
): Explanation {
  const fmt = (v: number) =>
    unit === "bytes" ? formatBytes(v) : unit === "pages" ? `${formatCount(v)} pages` : formatCount(v);
  const sign = (v: number) => (v > 0 ? `+${fmt(v)}` : v < 0 ? `-${fmt(-v)}` : "nothing");
  return {
    text: `${pairSubject(l, r)} changes the ${mm}'s ${label} by ${sign(deltas[0])} on the left and ${sign(deltas[1])} on the right`,
    detail: "",
    decision: null,
    pages: 0,
  };
}

/** Explains a pair where only QEMU's own counters (hypervisor state) change differently. */
export function explainHypervisor(
  l: StepView,
  r: StepView,
  key: string,
  deltas: readonly [number, number],
): Explanation {
  return {
    text: `${pairSubject(l, r)} changes QEMU's ${key} by ${formatCount(deltas[0])} on the left and ${formatCount(deltas[1])} on the right`,
    detail: "",
    decision: null,
    pages: 0,
  };
}
