/**
 * The rule registry. Every transition the engine makes is produced by a named rule, and every rule
 * names the kernel (or QEMU) functions it models, the files they live in, a plain-language
 * explanation, and, where the fact sheet leaves a point unconfirmed, the modelling choice made.
 *
 * Rooms declare their rules at module load (fault.ts declares the fault rules, and so on). The
 * trace stores a rule's numeric index; `ruleAt()` turns it back into the rule for narration.
 * Indices follow declaration order, which is fixed by the import graph of engine/index.ts, and the
 * trace hash covers the rule ids, so a reordering shows up as a changed hash, not a silent change.
 */

export interface Frame {
  /** Function (or macro, or condition) name as in the source, e.g. "do_anonymous_page". */
  readonly fn: string;
  /** Path in the kernel tree (or "qemu:" + path in QEMU's), for source links. */
  readonly file?: string;
  /** A decision taken at this frame, e.g. "= true" after mm_forbids_zeropage(). */
  readonly note?: string;
  /**
   * The kernel tag this frame is read at, where it differs from the variant's (set by
   * kernel-names.ts variantPath(), e.g. a function only a stable release of that kernel has).
   */
  readonly tag?: string;
}

export interface Rule {
  readonly id: string;
  readonly index: number;
  /** One line: what happens to the page. */
  readonly title: string;
  /** The call path, outermost first. */
  readonly path: readonly Frame[];
  /** Why, in plain language, for a student. */
  readonly explain: string;
  /** Present when the rule stands in for an unconfirmed fact: what is unconfirmed, the choice and why. */
  readonly assumption?: string;
  /** What each page this rule changes adds to /proc/vmstat's event counters (none if absent). */
  readonly vmstat?: VmstatCount;
}

/**
 * The /proc/vmstat events (include/linux/vm_event_item.h) a rule's effect counts, for the ledger
 * (proc/ledger.ts). Counted from the effects an event records, so a step part-way through an event
 * counts exactly the pages done so far.
 */
export interface VmstatCount {
  /**
   * handle_mm_fault() ran: count_vm_event(PGFAULT), once per page ("pte") or once per huge PMD
   * ("pmd"). Faults from GUP (KVM, MADV_POPULATE_READ, process_vm_readv, unsharing) count as well.
   */
  readonly pgfault?: "pte" | "pmd";
  /** The fault allocated a PMD-sized THP: THP_FAULT_ALLOC, once per huge PMD. */
  readonly thpFaultAlloc?: true;
  /** The fault mapped the huge zero page, allocating it on first use (THP_ZERO_PAGE_ALLOC). */
  readonly hugeZeroPage?: true;
}

const registry: Rule[] = [];
const byId = new Map<string, Rule>();

export function defineRule(rule: Omit<Rule, "index">): Rule {
  if (byId.has(rule.id)) throw new Error(`rule ${rule.id} declared twice`);
  const r: Rule = { ...rule, index: registry.length };
  registry.push(r);
  byId.set(r.id, r);
  return r;
}

export function ruleAt(index: number): Rule {
  const r = registry[index];
  if (!r) throw new RangeError(`no rule with index ${index}`);
  return r;
}

export function ruleById(id: string): Rule | undefined {
  return byId.get(id);
}

export function allRules(): readonly Rule[] {
  return registry;
}

/** Frame helper: fr("mm/memory.c", "do_anonymous_page", "= true"). */
export function fr(file: string, fn: string, note?: string): Frame {
  return note === undefined ? { fn, file } : { fn, file, note };
}

/** A frame for a condition or step that is not a function of its own. */
export function step(fn: string, note?: string): Frame {
  return note === undefined ? { fn } : { fn, note };
}

/** "a → b → c (= true)" for the CLI and for tests. */
export function formatPath(path: readonly Frame[]): string {
  return path.map((f) => (f.note ? `${f.fn} ${f.note}` : f.fn)).join(" → ");
}

/** Rule 0: a page the event looked at and left as it was. Declared first so its index is 0. */
export const UNCHANGED = defineRule({
  id: "unchanged",
  title: "no change",
  path: [],
  explain: "The event visited this page and left it as it was.",
});
