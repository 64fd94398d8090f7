/**
 * The explanations a student needs beside a step's narration, keyed by what the trace says
 * happened (the rules that fired, the call paths that issued the events, the counters) and worded
 * with the run's own numbers. No kernel semantics of their own: each aside names the kernel or
 * QEMU function that decides, and appears only where that rule or call path is at work.
 *
 *   zeropage-tables   a zeropage read still costs a page table (4 KiB per 1 MiB on s390 KVM, per
 *                     2 MiB on x86_64), and why a host whose tables were kept by the balloon's
 *                     4 KiB discards shows no VmPTE growth
 *   zero-check        why the destination reads a page before writing it (ram_handle_zero →
 *                     buffer_is_zero), and what that read cost here
 *   source-read       why the source reads ballooned memory at all (save_zero_page → buffer_is_zero)
 *   storage-keys      why a shared zeropage and storage keys do not mix (2faee8ff's example)
 *   unshare-cost      what the memory unsharing adds is (pages still in the balloon) and why
 *                     06201e00 accepts it
 *   message-numbers   the commit message's own numbers (where the story quotes the message)
 */
import { GiB, PAGE_SIZE } from "../../base/units.ts";
import type { RunInfo } from "../../worker/api.ts";
import { formatBytesShort, formatInt } from "../format.ts";
import {
  type ActionSummary,
  actionSummary,
  counterValue,
  type EffectLine,
  eventCause,
  eventRules,
  extraValue,
  pagesText,
} from "./summarize.ts";

export type AsideRun = Pick<
  RunInfo,
  "trace" | "rules" | "counters" | "pteStates" | "outcome" | "outcomeReason" | "geometry"
>;

export interface Aside {
  readonly id:
    | "zeropage-tables"
    | "zero-check"
    | "source-read"
    | "storage-keys"
    | "unshare-cost"
    | "message-numbers";
  readonly title: string;
  readonly text: string;
}

/** Rules that map the shared zeropage (by fault, by UFFDIO_ZEROPAGE, or as the huge zero page). */
export const ZEROPAGE_RULES = [
  "do_anonymous_page.zeropage",
  "do_anonymous_page.zeropage_shadowed",
  "mfill_atomic_pte_zeropage",
  "mfill_atomic_pte_zeropage.ignores_forbids",
  "do_huge_pmd_anonymous_page.huge_zero",
];
/** The storage-key enabling rules of every s390 variant. */
export const SKEY_RULES = [
  "s390_enable_skey.2faee8ff",
  "s390_enable_skey.fa41ba0d",
  "s390_enable_skey.06201e00",
];
export const UNSHARE_RULE = "__s390_unshare_zeropages";
/** The emptied table the balloon's discard leaves behind (engine/madvise.ts). */
export const TABLE_KEPT_RULE = "zap_pte_range.table_kept";
/** Call-path functions the asides key on (QEMU migration/ram.c). */
export const ZERO_CHECK_FN = "ram_handle_zero";
export const SOURCE_CHECK_FN = "save_zero_page";

function ruleIds(run: AsideRun, rules: Iterable<number>): Set<string> {
  const out = new Set<string>();
  for (const r of rules) {
    const id = run.rules[r]?.id;
    if (id) out.add(id);
  }
  return out;
}

function counterIndex(run: AsideRun, key: string): number {
  return run.counters.findIndex((c) => c.key === key);
}

/** Pages the action's effects moved by the given rules on mm (all mms when mm is −1). */
function pagesByRules(s: ActionSummary, run: AsideRun, ids: readonly string[], mm = -1): number {
  let n = 0;
  for (const x of s.effects)
    if ((mm < 0 || x.mm === mm) && x.from !== x.to && ids.includes(run.rules[x.rule]?.id ?? "")) n += x.count;
  return n;
}

/** Whether `rule` was at work on mm (an event-level step or a PTE effect) in any event before `before`. */
function ruleFiredBefore(run: AsideRun, rule: string, mm: number, before: number): boolean {
  const r = run.rules.findIndex((x) => x.id === rule);
  if (r < 0) return false;
  const t = run.trace;
  for (let e = 0; e < before; e++) {
    if (t.mm[e] !== mm) continue;
    for (let i = 0; i < t.stepCount[e]!; i++) if (t.steps[t.stepStart[e]! + i] === r) return true;
    for (let i = 0; i < t.effCount[e]!; i++) if (t.effects[(t.effStart[e]! + i) * 4 + 2] === r) return true;
  }
  return false;
}

/** One page table's span and cost, as a phrase: "one page table maps 1 MiB and takes 4 KiB". */
function tableCost(run: AsideRun): string {
  const g = run.geometry;
  return `one ${g.pteTableName} maps ${formatBytesShort(g.tableSpanBytes)} (${formatInt(g.ptesPerTable)} pages) and takes ${formatBytesShort(g.pteTableMemBytes)}`;
}

function zeropageTables(run: AsideRun, s: ActionSummary): Aside | null {
  if (pagesByRules(s, run, ZEROPAGE_RULES) === 0) return null;
  const g = run.geometry;
  const t = run.trace;
  const tc = counterIndex(run, "pteTables");
  const vc = counterIndex(run, "vmPteBytes");
  const perGiB = (GiB / g.tableSpanBytes) * g.pteTableMemBytes;
  const out = [
    `The zeropage costs no page, but the PTE that points at it lives in a page table, and do_anonymous_page() allocates that table (pte_alloc) before it decides between the zeropage and a page of its own. Here ${tableCost(run)}: ${formatBytesShort(perGiB)} of page tables per GiB read. (On s390 KVM that is 4 KiB per 1 MiB; on x86_64, 4 KiB per 2 MiB.)`,
  ];
  if (g.pteTableVmPteBytes !== g.pteTableMemBytes)
    out.push(
      `VmPTE shows ${formatBytesShort(g.pteTableVmPteBytes)} per table: it counts the PTEs only (mm_pgtables_bytes()), while the table's page also holds its PGSTEs.`,
    );
  for (let mm = 0; mm < t.mmNames.length; mm++) {
    const zeros = pagesByRules(s, run, ZEROPAGE_RULES, mm);
    if (zeros === 0 || tc < 0) continue;
    const before = s.firstEvent - 1;
    const after = s.endEvent - 1;
    const tables = counterValue(run, after, mm, tc) - counterValue(run, before, mm, tc);
    const name = t.mmNames[mm];
    if (tables === 0) {
      const vmPte = vc >= 0 ? formatBytesShort(counterValue(run, after, mm, vc)) : "";
      const kept = ruleFiredBefore(run, TABLE_KEPT_RULE, mm, s.firstEvent);
      out.push(
        `On the ${name}, ${pagesText(zeros)} went to the zeropage without a single new page table${vmPte ? ` (VmPTE stays ${vmPte})` : ""}: the tables were there already${kept ? ", because the balloon's 4 KiB discards emptied the pages but left their tables (MADV_DONTNEED frees pages, not page tables: zap_pte_range)" : ""}.`,
      );
    } else {
      out.push(
        `On the ${name}, ${pagesText(zeros)} went to the zeropage, and the page tables grew by ${formatInt(tables)} (${formatBytesShort(tables * g.pteTableMemBytes)}) for these reads and every other page this step mapped.`,
      );
    }
  }
  return { id: "zeropage-tables", title: "Why reading zeros still costs page tables", text: out.join(" ") };
}

/** Effects of the action's events whose call path names `fn`, per mm: pages moved, by rule title. */
interface CauseEffect {
  readonly mm: number;
  /** Pages whose PTE changed. */
  pages: number;
  /** Of those, pages that now hold a frame of their own and did not before (4 KiB of memory each). */
  ownPages: number;
  /** Pages moved, by rule title. */
  readonly rules: Map<string, number>;
}

function effectsOfCause(run: AsideRun, s: ActionSummary, fn: string): CauseEffect[] {
  const t = run.trace;
  const byMm = new Map<number, CauseEffect>();
  for (let e = s.firstEvent; e < s.endEvent; e++) {
    if (!eventCause(run, e).includes(fn)) continue;
    const mm = t.mm[e]!;
    const row = byMm.get(mm) ?? { mm, pages: 0, ownPages: 0, rules: new Map<string, number>() };
    byMm.set(mm, row);
    for (let i = 0; i < t.effCount[e]!; i++) {
      const o = (t.effStart[e]! + i) * 4;
      if (t.effects[o] === t.effects[o + 1]) continue;
      const title = run.rules[t.effects[o + 2]!]?.title ?? "";
      const own = (x: number) => run.pteStates[x]?.frame === "own";
      if (own(t.effects[o + 1]!) && !own(t.effects[o]!)) row.ownPages += t.effects[o + 3]!;
      row.pages += t.effects[o + 3]!;
      row.rules.set(title, (row.rules.get(title) ?? 0) + t.effects[o + 3]!);
    }
  }
  return [...byMm.values()];
}

function whatItDid(run: AsideRun, s: ActionSummary, fn: string): string {
  const parts = effectsOfCause(run, s, fn)
    .filter((x) => x.pages > 0)
    .map((x) => {
      const rules = [...x.rules.entries()]
        .sort((a, b) => b[1] - a[1])
        .map(([title, n]) => `${pagesText(n)}: ${title}`);
      const cost =
        x.ownPages > 0
          ? `: ${formatBytesShort(x.ownPages * PAGE_SIZE)} of new memory`
          : ": no new memory for the pages themselves";
      return `on the ${run.trace.mmNames[x.mm]}, ${rules.join("; ")}${cost}`;
    });
  return parts.length > 0 ? ` Here, ${parts.join("; ")}.` : "";
}

function zeroCheck(run: AsideRun, s: ActionSummary): Aside | null {
  if (!s.causes.some((c) => c.includes(ZERO_CHECK_FN))) return null;
  return {
    id: "zero-check",
    title: "Why the destination reads a page before writing it",
    text: `For a page of zeros the source sends only a flag (RAM_SAVE_FLAG_ZERO), and QEMU's ram_handle_zero() on the destination first checks the page with buffer_is_zero(): it writes zeros only if the page is not zero already, so memory that is zero is never written. On fresh destination memory that check is a read of never-touched memory, so it takes a read fault, and the kernel decides what the read costs: the shared zeropage (only a page table) or, where the zeropage is forbidden, a zero-filled page of its own.${whatItDid(run, s, ZERO_CHECK_FN)}`,
  };
}

function sourceRead(run: AsideRun, s: ActionSummary): Aside | null {
  if (!s.causes.some((c) => c.includes(SOURCE_CHECK_FN))) return null;
  const did = whatItDid(run, s, SOURCE_CHECK_FN);
  if (!did) return null;
  return {
    id: "source-read",
    title: "Why migration touches ballooned memory at all",
    text: `QEMU does not know which guest pages sit in the balloon: the bulk stage sends every page, and save_zero_page() reads each with buffer_is_zero() to send a zero page as a flag only. A ballooned page was discarded on the host, so this read is its first touch since, and it faults.${did}`,
  };
}

function storageKeys(rules: Set<string>): Aside | null {
  if (!SKEY_RULES.some((r) => rules.has(r))) return null;
  return {
    id: "storage-keys",
    title: "Why a shared zeropage is a problem once storage keys are used",
    text: "A storage key (access-control and fetch-protection bits, referenced and changed bits) belongs to a 4 KiB physical frame, not to a guest page, and the zeropage is one frame shared by every page mapped to it. 2faee8ff's example: the guest sets a key for page X before X is mapped, so KVM keeps it in X's PGSTE; the guest reads X, the zeropage is mapped, and X's key goes to the zero frame; then the same for page Y, whose key overwrites X's on that one frame. So once a guest uses storage keys, no two of its pages may share a frame: no shared zeropage, no KSM.",
  };
}

function unshareCost(run: AsideRun, s: ActionSummary): Aside | null {
  const t = run.trace;
  const bk = t.extraKeys.indexOf("balloonPages");
  const parts: string[] = [];
  for (let mm = 0; mm < t.mmNames.length; mm++) {
    const n = pagesByRules(s, run, [UNSHARE_RULE], mm);
    if (n === 0) continue;
    const balloon = bk >= 0 ? extraValue(run, s.endEvent - 1, bk) : 0;
    const name = t.mmNames[mm];
    let why = `RssAnon on the ${name} grows by ${formatBytesShort(n * PAGE_SIZE)}: ${pagesText(n)} that mapped the shared zeropage now each hold a zero-filled page of their own.`;
    if (balloon > 0 && balloon === n)
      why += ` That is exactly what the guest's balloon still holds (${formatBytesShort(balloon * PAGE_SIZE)}): the migration read the ballooned pages as zeros and mapped the zeropage for them, so this is host memory for pages the guest gave back and does not use.`;
    else if (balloon > 0)
      why += ` The guest's balloon still holds ${formatBytesShort(balloon * PAGE_SIZE)} at this point: pages the migration read as zeros although the guest does not use them are among the ones that now cost memory.`;
    parts.push(why);
  }
  if (parts.length === 0) return null;
  parts.push(
    "06201e00 accepts this cost: it expects few zeropages in a guest that uses storage keys or PV (KSM's unmerge already had the same cost for KSM-placed zeropages), and unsharing instead of zapping keeps every page present, so a postcopy destination never sees the missing fault that hung it before fa41ba0d. Under fa41ba0d the same memory was spent earlier, at migration.",
  );
  return { id: "unshare-cost", title: "What the memory that unsharing adds is", text: parts.join(" ") };
}

/**
 * The commit message's own numbers, where the story quotes the message: at its start and at the
 * migration (the step whose cost the message describes). `caveat` is the story's (Preset.patch).
 */
export function messageNumbers(caveat: string): Aside | null {
  if (!caveat) return null;
  return { id: "message-numbers", title: "About the commit message's numbers", text: caveat };
}

/** The asides for one action of the run, in reading order. `caveat`: the story's patch caveat, or "". */
export function actionAsides(run: AsideRun, s: ActionSummary, caveat = ""): Aside[] {
  const rules = ruleIds(run, s.rules);
  const out: (Aside | null)[] = [
    sourceRead(run, s),
    zeroCheck(run, s),
    zeropageTables(run, s),
    storageKeys(rules),
    unshareCost(run, s),
    s.marker === "migration-start" ? messageNumbers(caveat) : null,
  ];
  return out.filter((a): a is Aside => a !== null);
}

/**
 * The asides for one event (a page-table or PTE step shows the event it belongs to): the same
 * explanations, over the event's whole effect.
 */
export function eventAsides(run: AsideRun, e: number, caveat = ""): Aside[] {
  const t = run.trace;
  if (e < 0 || e >= t.events) return [];
  const action = actionSummary(run, t.action[e]!);
  const effects: EffectLine[] = [];
  for (let i = 0; i < t.effCount[e]!; i++) {
    const o = (t.effStart[e]! + i) * 4;
    effects.push({
      mm: t.mm[e]!,
      from: t.effects[o]!,
      to: t.effects[o + 1]!,
      rule: t.effects[o + 2]!,
      count: t.effects[o + 3]!,
    });
  }
  const cause = eventCause(run, e);
  const s: ActionSummary = {
    ...action,
    firstEvent: e,
    endEvent: e + 1,
    effects,
    rules: eventRules(run, e),
    causes: cause ? [cause] : [],
    // The message's numbers are said at the action; a single event is not where the story quotes it.
    marker: "",
  };
  return actionAsides(run, s, caveat);
}
