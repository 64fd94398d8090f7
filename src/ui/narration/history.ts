/**
 * A PTE's life as cause chains: for each history entry (an event that visited or changed the
 * page), "action → event → the rule's deciding frames → result", e.g.
 *
 *   balloon inflates by 40 GiB → MADV_DONTNEED → zap_pte_range → none
 *   precopy migration → read fault → do_anonymous_page → mm_forbids_zeropage = true → anon r/w, zero
 *
 * The deciding frames are the rule's own function (its id up to the first ".") and every frame
 * that records a decision (a note such as "= true"), at most three.
 */
import type { Frame, HistoryEntry } from "../../worker/api.ts";
import { eventLabel, type NarrationRun } from "./summarize.ts";

export interface ChainLink {
  readonly text: string;
  readonly kind: "action" | "event" | "frame" | "result" | "cause";
  readonly frame?: Frame;
}

export interface HistoryItem {
  readonly entry: HistoryEntry;
  readonly changed: boolean;
  /** Bookkeeping outside the kernel (the rule is "pageset") or a visit that changed nothing. */
  readonly quiet: boolean;
  readonly chain: readonly ChainLink[];
}

export function decidingFrames(run: NarrationRun, rule: number): Frame[] {
  const r = run.rules[rule];
  if (!r) return [];
  const own = r.id.split(".")[0]!;
  const picked = r.path.filter((f) => f.fn === own || f.note !== undefined);
  const frames = picked.length > 0 ? picked : r.path.slice(-1);
  return frames.slice(0, 3);
}

export function historyItem(run: NarrationRun, entry: HistoryEntry): HistoryItem {
  const t = run.trace;
  const action = t.actions[entry.action];
  const label = eventLabel(run, entry.event);
  const changed = entry.from !== entry.to;
  const rule = run.rules[entry.rule];
  const bookkeeping = !changed && (rule?.id === "unchanged" || rule?.id === "pageset");
  const chain: ChainLink[] = [];
  if (action) chain.push({ text: action.label, kind: "action" });
  chain.push({ text: label, kind: "event" });
  if (bookkeeping) {
    const cause = entry.cause.replace(/^[a-z][a-z0-9 ()-]*?:\s+/, "");
    if (cause) chain.push({ text: cause, kind: "cause" });
  } else {
    for (const f of decidingFrames(run, entry.rule))
      chain.push({ text: f.note ? `${f.fn} ${f.note}` : f.fn, kind: "frame", frame: f });
  }
  const name = (s: number) => run.pteStates[s]?.name ?? String(s);
  chain.push({ text: changed ? name(entry.to) : `${name(entry.to)} (unchanged)`, kind: "result" });
  return { entry, changed, quiet: bookkeeping, chain };
}

/** "a → b → c" for titles, tests and the live region. */
export function chainText(item: HistoryItem): string {
  return item.chain.map((l) => l.text).join(" → ");
}

/** Whether event e has already visited `page` after its first `done` pages (visit order). */
export function visitedWithin(t: NarrationRun["trace"], e: number, page: number, done: number): boolean {
  let seen = 0;
  const s = t.runStart[e]! * 2;
  for (let i = 0; i < t.runCount[e]! && seen < done; i++) {
    const first = t.runs[s + i * 2]!;
    const count = t.runs[s + i * 2 + 1]!;
    if (page >= first && page < first + count) return seen + (page - first) < done;
    seen += count;
  }
  return false;
}

/**
 * Index of the entry that made the PTE what it is at cursor (event, done): the last entry of an
 * event before the cursor's, or of the cursor's own event if it has already reached the page.
 */
export function currentEntry(
  t: NarrationRun["trace"],
  entries: readonly HistoryEntry[],
  page: number,
  cursor: { readonly event: number; readonly done: number },
): number {
  let k = -1;
  for (let i = 0; i < entries.length; i++) {
    const e = entries[i]!.event;
    if (e < cursor.event || (e === cursor.event && cursor.done > 0 && visitedWithin(t, e, page, cursor.done)))
      k = i;
  }
  return k;
}
