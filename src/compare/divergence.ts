/**
 * Divergences between two aligned runs: the aligned steps where the two runs do different things
 * to their state, with a plain-language explanation of each, and the first step where their states
 * differ.
 *
 * Definitions:
 * - State is each mm's page tables and PTEs (state-diff.ts) and its counters (proc/status.ts).
 *   The mm context flags are not state for this purpose: they are the inputs the kernels' rules read,
 *   and two kernels need not even have the same flags (allow_cow_sharing exists only from
 *   06201e00). A difference in flags, or in what the kernels decide from them
 *   (mm_forbids_zeropage()), is a policy note: reported, but not a divergence until it changes
 *   memory. QEMU's own state (balloon, migration bitmaps and counters) gives "hypervisor"
 *   divergences, listed but never the first divergence.
 * - A divergence is an event pair (align.ts) whose two events change state differently: different
 *   PTE transitions (from → to, summed over pages, rules aside), the same transitions on different
 *   pages, different counter changes, or an event only one side runs that changes state. Once the
 *   states differ they stay different, so divergences are where the difference grows or changes,
 *   not every step after the first: they are what next/previous divergence steps through.
 * - The first divergence is the first kernel-state divergence after which the states differ. With
 *   replays (the Simulations) it is refined to the exact first aligned table step and PTE step at
 *   which the two rebuilt worlds differ, by binary search over the pair's steps (a page is visited
 *   once per event, so "differs after k steps" is monotone in k). Other divergences point at the
 *   first step of their pair.
 *
 * Worked example (the commit story, fa41ba0d against 06201e00): both KVM_CREATE_VMs set has_pgste,
 * so the flags agree, but mm_forbids_zeropage() turns true on the left only: a policy note at
 * event 0. The first divergence is the source's first migration read fault (event 9, QEMU's
 * buffer_is_zero check), at the first ballooned page: the left allocates a zeroed anonymous page,
 * the right maps the shared zeropage. Every later migration read on either host diverges the same
 * way.
 */
import { formatBytes, formatCount, PAGE_SIZE } from "../base/units.ts";
import {
  COUNTER_COUNT,
  COUNTERS,
  type Cursor,
  counterAt,
  EVENT_KINDS,
  effectsOf,
  extraAt,
  flagsAt,
  type Granularity,
  type KernelEvent,
  ruleAt,
  type Trace,
  type VariantId,
  type World,
} from "../engine/index.ts";
import { type Alignment, SIDES, type Side, sameFootprint } from "./align.ts";
import {
  explainCounters,
  explainHypervisor,
  explainOneSided,
  explainPages,
  type StepView,
  subjectOf,
  type Transition,
} from "./explain.ts";
import { flagNames, forbidsFromFlags, forbidsRuleText, hasCowSharingFlag } from "./policy.ts";
import { withPrefix } from "./replay.ts";
import { worldsDiffer } from "./state-diff.ts";

/** What refinement needs from a run: its events and a way to rebuild the world at a cursor. */
export interface Replayer {
  worldAt(cursor: Cursor): World;
  readonly events: readonly KernelEvent[];
}

export interface CompareSide {
  readonly trace: Trace;
  readonly kernel: VariantId;
  /** "s390-fa41ba0d · 100 GiB guest, …": for tables and headers. */
  readonly label: string;
  /** Without it the first divergence points at the first step of its pair (exact = false). */
  readonly replay?: Replayer;
}

export type DivergenceKind = "pages" | "counters" | "only-left" | "only-right" | "hypervisor";

export interface Divergence {
  readonly index: number;
  readonly kind: DivergenceKind;
  readonly pair: number;
  /** Aligned action the pair belongs to. */
  readonly action: number;
  /** Event index on each side (-1: none). */
  readonly events: readonly [number, number];
  readonly mm: string | null;
  /** Aligned position at which it shows, per granularity (the action's end at "action"). */
  readonly positions: Readonly<Record<Granularity, number>>;
  /** Whether positions were refined to the first differing step (else: the pair's first step). */
  readonly exact: boolean;
  /** Ids of the rules that changed PTEs, per side. */
  readonly rules: readonly [readonly string[], readonly string[]];
  /** Plain language, without the step number: see describe(). */
  readonly text: string;
  /** The deciding kernel check, in a sentence, or "". */
  readonly detail: string;
  readonly decision: string | null;
  /** Pages of the headline difference. */
  readonly pages: number;
  /** Whether the two runs' counters differ after this pair. */
  readonly countersDiffer: boolean;
}

/** A difference in flags, in what the kernels decide from them, or in setup: not (yet) in memory. */
export interface PolicyNote {
  /** -1: before any event (the two machines differ from the start). */
  readonly pair: number;
  readonly action: number;
  readonly positions: Readonly<Record<Granularity, number>>;
  readonly text: string;
}

export interface Divergences {
  readonly list: readonly Divergence[];
  /** Index in `list` of the first kernel-state divergence, or -1 if the states never differ. */
  readonly first: number;
  readonly policy: readonly PolicyNote[];
}

/** "step 37: …" at granularity g. */
export function describeAt(
  d: { positions: Readonly<Record<Granularity, number>>; text: string },
  g: Granularity,
): string {
  return `${g === "action" ? "action" : "step"} ${formatCount(d.positions[g])}: ${d.text}`;
}

interface SideInfo {
  readonly t: Trace;
  readonly kernel: VariantId;
  /** mm index per mm name (−1 if absent). */
  readonly mmIndex: (name: string) => number;
}

function changesOf(t: Trace, e: number): Transition[] {
  const by = new Map<string, { from: number; to: number; count: number; rules: Map<number, number> }>();
  for (const x of effectsOf(t, e)) {
    if (x.from === x.to) continue;
    const k = `${x.from}>${x.to}`;
    let v = by.get(k);
    if (!v) {
      v = { from: x.from, to: x.to, count: 0, rules: new Map() };
      by.set(k, v);
    }
    v.count += x.count;
    v.rules.set(x.rule, (v.rules.get(x.rule) ?? 0) + x.count);
  }
  return [...by.values()].map((v) => {
    let rule = 0;
    let best = -1;
    for (const [r, n] of v.rules)
      if (n > best) {
        best = n;
        rule = r;
      }
    return { from: v.from, to: v.to, count: v.count, rule };
  });
}

function sameChanges(a: readonly Transition[], b: readonly Transition[]): boolean {
  if (a.length !== b.length) return false;
  return a.every((x) => b.some((y) => y.from === x.from && y.to === x.to && y.count === x.count));
}

function counters(t: Trace, e: number, mm: number): Float64Array {
  const out = new Float64Array(COUNTER_COUNT);
  if (mm < 0) return out;
  for (let c = 0; c < COUNTER_COUNT; c++) out[c] = counterAt(t, e, mm, c);
  return out;
}

function sameVector(a: Float64Array, b: Float64Array): boolean {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

export function findDivergences(al: Alignment, sides: readonly [CompareSide, CompareSide]): Divergences {
  const info: SideInfo[] = sides.map((s) => ({
    t: s.trace,
    kernel: s.kernel,
    mmIndex: (name: string) => s.trace.mmNames.indexOf(name),
  }));
  const names: string[] = [...sides[0].trace.mmNames];
  for (const n of sides[1].trace.mmNames) if (!names.includes(n)) names.push(n);
  const list: Divergence[] = [];
  const policy: PolicyNote[] = setupNotes(al, sides, names);
  let first = -1;

  // Per side: the last event completed (−1 = initial state) before the current pair.
  const lastEvent = (s: Side, p: number) => al.consumed[s][p]! - 1;
  const viewOf = (s: Side, p: number): StepView => {
    const t = info[s]!.t;
    const e = al.pairEvent[s][p]!;
    const action = t.actions[al.pairAction[p]!]?.label ?? "";
    if (e < 0)
      return { event: -1, mm: null, kind: "", label: "", action, kernel: info[s]!.kernel, changes: [] };
    return {
      event: e,
      kind: EVENT_KINDS[t.kind[e]!] ?? "",
      mm: t.mmNames[t.mm[e]!] ?? null,
      label: t.strings[t.label[e]!] ?? "",
      action,
      kernel: info[s]!.kernel,
      changes: changesOf(t, e),
    };
  };
  const forbidsAt = (s: Side, e: number, mm: string) => {
    const t = info[s]!.t;
    const i = info[s]!.mmIndex(mm);
    return i >= 0 && forbidsFromFlags(info[s]!.kernel, flagsAt(t, e, i));
  };
  // Policy state per mm name: [flags equal, forbids equal] after the previous pair.
  const policyState = new Map<string, string>();
  for (const name of names) policyState.set(name, policyKey(info, name, -1, -1));

  // One-sided events that change nothing, one note per action, side and event: "… 15 more times".
  const quiet = new Map<string, { more: number; note: number }>();
  for (let p = 0; p < al.pairCount; p++) {
    const v: [StepView, StepView] = [viewOf(0, p), viewOf(1, p)];
    const before: [number, number] = [lastEvent(0, p), lastEvent(1, p)];
    const after: [number, number] = [lastEvent(0, p + 1), lastEvent(1, p + 1)];
    // Counter changes per mm name, and whether the counters differ after the pair.
    let counterDiff: { mm: string; c: number; d: [number, number] } | null = null;
    let countersDiffer = false;
    for (const name of names) {
      const ia = info[0]!.mmIndex(name);
      const ib = info[1]!.mmIndex(name);
      const a0 = counters(info[0]!.t, before[0], ia);
      const a1 = counters(info[0]!.t, after[0], ia);
      const b0 = counters(info[1]!.t, before[1], ib);
      const b1 = counters(info[1]!.t, after[1], ib);
      if (!sameVector(a1, b1)) countersDiffer = true;
      for (let c = 0; c < COUNTER_COUNT && !counterDiff; c++) {
        const da = a1[c]! - a0[c]!;
        const db = b1[c]! - b0[c]!;
        if (da !== db) counterDiff = { mm: name, c, d: [da, db] };
      }
    }
    let extraDiff: { key: string; d: [number, number] } | null = null;
    for (const key of sides[0].trace.extraKeys) {
      const kb = sides[1].trace.extraKeys.indexOf(key);
      if (kb < 0) continue;
      const ka = sides[0].trace.extraKeys.indexOf(key);
      const da = extraAt(info[0]!.t, after[0], ka) - extraAt(info[0]!.t, before[0], ka);
      const db = extraAt(info[1]!.t, after[1], kb) - extraAt(info[1]!.t, before[1], kb);
      if (da !== db) {
        extraDiff = { key, d: [da, db] };
        break;
      }
    }
    const [l, r] = v;
    const both = l.event >= 0 && r.event >= 0;
    let kind: DivergenceKind | null = null;
    if (!both) {
      const present = l.event >= 0 ? l : r;
      if (present.changes.length > 0 || counterDiff) kind = l.event >= 0 ? "only-left" : "only-right";
      else if (extraDiff) kind = "hypervisor";
      else {
        // Consecutive ones in an action are one note: "… and 15 more events".
        const side = l.event >= 0 ? "left" : "right";
        const subject = subjectOf(present);
        const key = `${al.pairAction[p]}|${side}|${subject}`;
        const q = quiet.get(key);
        if (q) {
          q.more++;
          policy[q.note] = { ...policy[q.note]!, text: quietText(side, subject, q.more) };
        } else {
          quiet.set(key, { more: 0, note: policy.length });
          policy.push({
            pair: p,
            action: al.pairAction[p]!,
            positions: pairPositions(al, p),
            text: quietText(side, subject, 0),
          });
        }
      }
    } else {
      const moved = l.changes.length > 0 || r.changes.length > 0;
      const elsewhere = l.mm !== r.mm || !sameFootprint(info[0]!.t, l.event, info[1]!.t, r.event);
      if (!sameChanges(l.changes, r.changes) || (moved && elsewhere)) kind = "pages";
      else if (counterDiff) kind = "counters";
      else if (extraDiff) kind = "hypervisor";
    }
    if (kind) {
      const ev: [number, number] = [l.event, r.event];
      const mm = l.mm ?? r.mm;
      const forbids: [boolean, boolean] = [
        mm !== null && forbidsAt(0, Math.max(-1, l.event - 1), mm),
        mm !== null && forbidsAt(1, Math.max(-1, r.event - 1), mm),
      ];
      const ex =
        kind === "pages"
          ? explainPages(l, r, forbids)
          : kind === "only-left"
            ? explainOneSided(l, "left")
            : kind === "only-right"
              ? explainOneSided(r, "right")
              : kind === "counters" && counterDiff
                ? explainCounters(
                    l,
                    r,
                    counterDiff.mm,
                    COUNTERS[counterDiff.c]!.label,
                    counterDiff.d,
                    COUNTERS[counterDiff.c]!.unit,
                  )
                : explainHypervisor(l, r, extraDiff?.key ?? "state", extraDiff?.d ?? [0, 0]);
      let positions = pairPositions(al, p);
      let exact = false;
      const isState = kind !== "hypervisor";
      if (first < 0 && isState && (countersDiffer || kind === "pages")) {
        const refined = sides[0].replay && sides[1].replay ? refine(al, sides, p) : undefined;
        if (refined !== null) {
          first = list.length;
          if (refined) {
            positions = { action: positions.action, table: refined.table, pte: refined.pte };
            exact = true;
          }
        }
      }
      list.push({
        index: list.length,
        kind,
        pair: p,
        action: al.pairAction[p]!,
        events: ev,
        mm,
        positions,
        exact,
        rules: [
          [...new Set(l.changes.map((x) => ruleAt(x.rule).id))],
          [...new Set(r.changes.map((x) => ruleAt(x.rule).id))],
        ],
        text: ex.text,
        detail: ex.detail,
        decision: ex.decision,
        pages: ex.pages,
        countersDiffer,
      });
    }
    // Policy: flags or mm_forbids_zeropage() start or stop agreeing.
    for (const name of names) {
      const key = policyKey(info, name, after[0], after[1]);
      if (key === policyState.get(name)) continue;
      policyState.set(name, key);
      policy.push({
        pair: p,
        action: al.pairAction[p]!,
        positions: pairPositions(al, p),
        text: policyText(info, name, after, l.event >= 0 ? l : r, first < 0),
      });
    }
  }
  return { list, first, policy };
}

function quietText(side: string, subject: string, more: number): string {
  const times = more > 0 ? `, ${more + 1} times` : "";
  return `only the ${side} runs ${subject}${times}; ${more > 0 ? "they change" : "it changes"} no memory`;
}

/** The aligned positions at which pair p shows: its first step (fine) and its action's end. */
function pairPositions(al: Alignment, p: number): Record<Granularity, number> {
  return {
    action: al.afterPair("action", p),
    table: al.pairStep("table", p, 1),
    pte: al.pairStep("pte", p, 1),
  };
}

function sideFlags(info: readonly SideInfo[], s: Side, name: string, e: number): number | null {
  const i = info[s]!.mmIndex(name);
  return i < 0 ? null : flagsAt(info[s]!.t, e, i);
}

function policyKey(info: readonly SideInfo[], name: string, ea: number, eb: number): string {
  const fa = sideFlags(info, 0, name, ea);
  const fb = sideFlags(info, 1, name, eb);
  if (fa === null || fb === null) return "n/a";
  const cow = hasCowSharingFlag(info[0]!.kernel) && hasCowSharingFlag(info[1]!.kernel);
  const na = flagNames(fa, cow).join(",");
  const nb = flagNames(fb, cow).join(",");
  const za = forbidsFromFlags(info[0]!.kernel, fa);
  const zb = forbidsFromFlags(info[1]!.kernel, fb);
  // A note when the sides start or stop agreeing, not when they change together.
  return `${na === nb ? "same" : `${na}/${nb}`}|${za === zb ? "same" : `${za}/${zb}`}`;
}

function policyText(
  info: readonly SideInfo[],
  name: string,
  after: readonly [number, number],
  v: StepView,
  beforeFirst: boolean,
): string {
  const fa = sideFlags(info, 0, name, after[0]) ?? 0;
  const fb = sideFlags(info, 1, name, after[1]) ?? 0;
  const cow = hasCowSharingFlag(info[0]!.kernel) && hasCowSharingFlag(info[1]!.kernel);
  const na = flagNames(fa, cow);
  const nb = flagNames(fb, cow);
  const za = forbidsFromFlags(info[0]!.kernel, fa);
  const zb = forbidsFromFlags(info[1]!.kernel, fb);
  const list = (n: string[]) => (n.length ? n.join(", ") : "none set");
  const flags =
    na.join() === nb.join()
      ? `the ${name}'s context flags agree (${list(na)})`
      : `the ${name}'s context flags differ (left: ${list(na)}; right: ${list(nb)})`;
  const forbids =
    za === zb
      ? `mm_forbids_zeropage() is ${za} on both sides`
      : `mm_forbids_zeropage() is now ${za} on the left and ${zb} on the right (${info[0]!.kernel} ${forbidsRuleText(info[0]!.kernel)}; ${info[1]!.kernel} ${forbidsRuleText(info[1]!.kernel)})`;
  const tail = beforeFirst && za !== zb ? ". A policy difference, not yet in memory" : "";
  return `after ${subjectOf(v)}: ${flags}, ${za === zb ? "and" : "but"} ${forbids}${tail}`;
}

function setupNotes(
  al: Alignment,
  sides: readonly [CompareSide, CompareSide],
  names: readonly string[],
): PolicyNote[] {
  const out: PolicyNote[] = [];
  const at = { action: 0, table: 0, pte: 0 };
  const [a, b] = [sides[0].trace, sides[1].trace];
  for (const name of names) {
    const ia = a.mmNames.indexOf(name);
    const ib = b.mmNames.indexOf(name);
    if (ia < 0 || ib < 0) {
      out.push({
        pair: -1,
        action: -1,
        positions: at,
        text: `only the ${ia >= 0 ? "left" : "right"} has a ${name} mm`,
      });
      continue;
    }
    if (a.mmPages[ia] !== b.mmPages[ib])
      out.push({
        pair: -1,
        action: -1,
        positions: at,
        text: `the ${name}'s guest RAM differs: ${formatBytes(a.mmPages[ia]! * PAGE_SIZE)} on the left, ${formatBytes(b.mmPages[ib]! * PAGE_SIZE)} on the right`,
      });
    if (a.mmPteShift[ia] !== b.mmPteShift[ib] && !out.some((n) => n.text.startsWith("the page tables")))
      out.push({
        pair: -1,
        action: -1,
        positions: at,
        text: `the page tables differ in size: ${2 ** a.mmPteShift[ia]!} PTEs per table on the left, ${2 ** b.mmPteShift[ib]!} on the right; the diff map compares pages`,
      });
  }
  if (al.actionCount !== Math.min(a.actions.length, b.actions.length))
    out.push({
      pair: -1,
      action: -1,
      positions: at,
      text: `the runs have ${a.actions.length} and ${b.actions.length} actions; the shorter one holds its end state`,
    });
  return out;
}

/**
 * The exact first aligned table and PTE steps of pair p at which the rebuilt worlds differ, or
 * null if they do not differ even after the whole pair.
 */
function refine(
  al: Alignment,
  sides: readonly [CompareSide, CompareSide],
  p: number,
): { table: number; pte: number } | null {
  const replays = [sides[0].replay!, sides[1].replay!];
  const bases = SIDES.map((s) => {
    const e = al.pairEvent[s][p]!;
    return replays[s]!.worldAt({ event: e >= 0 ? e : al.consumed[s][p]!, done: 0 });
  });
  const worldsAt = (g: "table" | "pte", step: number): World[] => {
    const done = al.sideDone(p, g, step);
    return SIDES.map((s) => {
      const e = al.pairEvent[s][p]!;
      if (e < 0) return bases[s]!;
      const pos = al.positions[s];
      const c = pos.toCursor(g, pos.fromCursor(g, { event: e, done: 0 }) + done[s]);
      const ev = replays[s]!.events[e]!;
      return withPrefix(bases[s]!, ev, c.event > e ? Number.POSITIVE_INFINITY : c.done);
    });
  };
  const differs = (g: "table" | "pte", step: number) => {
    const [a, b] = worldsAt(g, step);
    return worldsDiffer(a!, b!);
  };
  const search = (g: "table" | "pte", lo: number, hi: number): number => {
    // Smallest step in (lo, hi] that differs; hi differs. Gallop first: the first difference is
    // usually near the start of the pair, and short prefixes are cheap to replay.
    for (let k = 1; lo + k < hi; k *= 2) {
      if (differs(g, lo + k)) {
        hi = lo + k;
        break;
      }
      lo += k;
    }
    while (hi - lo > 1) {
      const mid = Math.floor((lo + hi) / 2);
      if (differs(g, mid)) hi = mid;
      else lo = mid;
    }
    return hi;
  };
  const nTable = al.pairSteps("table", p);
  if (!differs("table", nTable)) return null;
  const kt = search("table", 0, nTable);
  const table = al.pairStep("table", p, kt);
  // The PTE step lies within table step kt: search there first, the whole pair if that fails.
  const base = al.pairStep("pte", p, 0);
  const nPte = al.pairSteps("pte", p);
  let lo = al.convert("table", table - 1, "pte") - base;
  let hi = al.convert("table", table, "pte") - base;
  lo = Math.max(0, Math.min(lo, nPte));
  hi = Math.max(lo + 1, Math.min(hi, nPte));
  if (!differs("pte", hi) || (lo > 0 && differs("pte", lo))) {
    lo = 0;
    hi = nPte;
  }
  const kp = search("pte", lo, hi);
  return { table, pte: al.pairStep("pte", p, kp) };
}
