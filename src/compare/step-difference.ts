/**
 * What differs at one step between a patch's two kernels, in one sentence, for the before/after
 * panel: chosen from the divergences and policy notes the comparison already holds (divergence.ts,
 * built from the rules that fired on each side, explain.ts), never computed anew. The sides are
 * named by their kernels ("under fa41ba0d … under 06201e00") instead of "left" and "right".
 *
 *   a step with divergences   the kind of difference that moves the most pages, its pages summed
 *                             over the step's events, and the deciding kernel check;
 *   a step with a policy note the flags or mm_forbids_zeropage() start to differ, not yet in memory;
 *   any other step            both kernels do the same here; when the runs first part, and where.
 */
import { formatBytes, formatCount, PAGE_SIZE } from "../base/units.ts";
import type { Granularity } from "../engine/index.ts";
import type { CompareSummary } from "./compare.ts";
import type { Divergence, PolicyNote } from "./divergence.ts";

/** Where the shared cursor stands: a PairViewState's fields. */
export interface StepAt {
  readonly granularity: Granularity;
  readonly position: number;
  /** The event pair the step belongs to (-1 at the start). */
  readonly pair: number;
  /** The aligned action of that pair (-1 at the start). */
  readonly action: number;
}

export interface StepDifference {
  readonly kind: "start" | "same" | "policy" | "differs";
  /** One sentence: what differs at this step (or that nothing does). */
  readonly text: string;
  /** Why: the kernel check that decides it, with each side's answer; "" when there is none. */
  readonly why: string;
  /** The rules that moved the headline pages, per side (kernel order: before, after). */
  readonly rules: readonly [readonly string[], readonly string[]];
  /** Pages of the headline difference, summed over the step. */
  readonly pages: number;
  /** Indices of the divergences at this step. */
  readonly divergences: readonly number[];
}

/**
 * Replaces the comparison's side words with kernel names. The phrases are the ones explain.ts and
 * divergence.ts write ("on the left", "only the right runs", "(left: …; right: …)").
 */
export function nameSides(text: string, names: readonly [string, string]): string {
  const [a, b] = names;
  return text
    .replace(/\bon the left\b/g, `under ${a}`)
    .replace(/\bon the right\b/g, `under ${b}`)
    .replace(/\bonly the left\b/g, `only ${a}`)
    .replace(/\bonly the right\b/g, `only ${b}`)
    .replace(/\bOnly the left kernel\b/g, `Only ${a}`)
    .replace(/\bOnly the right kernel\b/g, `Only ${b}`)
    .replace(/\(left: /g, `(${a}: `)
    .replace(/; right: /g, `; ${b}: `)
    .replace(/\bon each side\b/g, "under each kernel")
    .replace(/\bon both sides\b/g, "under both kernels")
    .replace(/\bon the two sides\b/g, "under the two kernels")
    .replace(/\bthe other path\b/g, "the other kernel's path");
}

/** "326,319 pages (1.24 GiB)" at the end of a divergence's text, as explain.ts writes it. */
const PAGES_TAIL = /: [\d,]+ pages? \([^)]*\)$/;

function pagesText(n: number): string {
  return `${formatCount(n)} page${n === 1 ? "" : "s"} (${formatBytes(n * PAGE_SIZE)})`;
}

function inStep(x: { pair: number; action: number }, at: StepAt): boolean {
  if (at.pair < 0) return false;
  return at.granularity === "action" ? x.action === at.action : x.pair === at.pair;
}

function groupKey(d: Divergence): string {
  return `${d.kind}|${d.rules[0].join(",")}|${d.rules[1].join(",")}|${d.decision ?? ""}`;
}

function actionName(s: Pick<CompareSummary, "actions">, a: number): string {
  const labels = s.actions[a]?.labels;
  const label = labels?.[0] ?? labels?.[1] ?? "";
  return `action ${a + 1}${label ? ` (${label})` : ""}`;
}

export function stepDifference(
  s: Pick<CompareSummary, "divergences" | "policy" | "first" | "actions">,
  at: StepAt,
  names: readonly [string, string],
): StepDifference {
  const here = s.divergences.filter((d) => inStep(d, at));
  const none = { rules: [[], []] as const, pages: 0, divergences: [] };
  if (here.length > 0) {
    // Group the step's divergences by what differs (rules and decision), summing their pages.
    const groups = new Map<string, { list: Divergence[]; pages: number; mms: Set<string> }>();
    for (const d of here) {
      const k = groupKey(d);
      const g = groups.get(k) ?? { list: [], pages: 0, mms: new Set<string>() };
      g.list.push(d);
      g.pages += d.pages;
      if (d.mm) g.mms.add(d.mm);
      groups.set(k, g);
    }
    const ranked = [...groups.values()].sort(
      (x, y) => y.pages - x.pages || x.list[0]!.index - y.list[0]!.index,
    );
    const top = ranked[0]!;
    const head = top.list[0]!;
    let text = nameSides(head.text, names);
    if (top.list.length > 1 && PAGES_TAIL.test(text)) {
      const others = [...top.mms].filter((m) => m !== head.mm);
      const also = others.length > 0 ? `, and the same on the ${others.join(" and the ")}` : "";
      text = `${text.replace(PAGES_TAIL, "")}${also}: ${pagesText(top.pages)} over ${formatCount(top.list.length)} events`;
    }
    if (ranked.length > 1) {
      const n = ranked.length - 1;
      text += `; ${n} other kind${n === 1 ? "" : "s"} of difference at this step`;
    }
    return {
      kind: "differs",
      text: `${capitalize(text)}.`,
      why: nameSides(head.detail, names),
      rules: head.rules,
      pages: top.pages,
      divergences: here.map((d) => d.index),
    };
  }
  const notes: PolicyNote[] = s.policy.filter((p) => inStep(p, at));
  if (notes.length > 0) {
    const note = notes[notes.length - 1]!;
    return {
      kind: "policy",
      text: `No difference in memory yet: ${nameSides(note.text, names).replace(/\. A policy difference, not yet in memory$/, "")}.`,
      why: "",
      ...none,
    };
  }
  const first = s.first >= 0 ? s.divergences[s.first] : undefined;
  const firstAt = first
    ? at.granularity === "action"
      ? first.positions.action
      : first.positions[at.granularity]
    : -1;
  const later = first
    ? firstAt > at.position
      ? ` They first differ in ${actionName(s, first.action)}.`
      : ` They have differed since ${actionName(s, first.action)}.`
    : " Their memory never differs in this story.";
  if (at.pair < 0)
    return {
      kind: "start",
      text: `Nothing has run yet under ${names[0]} or ${names[1]}.${later}`,
      why: "",
      ...none,
    };
  return {
    kind: "same",
    text: `${names[0]} and ${names[1]} do the same at this step.${later}`,
    why: "",
    ...none,
  };
}

function capitalize(t: string): string {
  return t.charAt(0).toUpperCase() + t.slice(1);
}
