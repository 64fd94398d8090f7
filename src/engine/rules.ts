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
