/**
 * "Who called" at action level: the call paths that issued the action's events, the ones that
 * changed the most pages first, each with what it did ("10,485,760 pages (40 GiB): none →
 * zeropage"). A call path that moved pages is never hidden under "and N more": the ones that
 * changed nothing (bookkeeping, visits) fold first.
 */
import { type ActionSummary, eventCause, type NarrationRun, pagesText, transitionText } from "./summarize.ts";

export interface CauseLine {
  readonly cause: string;
  readonly events: number;
  /** PTEs the cause's events changed. */
  readonly changed: number;
  /** What they did, largest first: "10,485,760 pages (40 GiB): none → zeropage on the destination". */
  readonly did: readonly string[];
}

export function causeLines(run: NarrationRun, s: ActionSummary): CauseLine[] {
  const t = run.trace;
  const byCause = new Map<string, { events: number; first: number; moves: Map<string, number> }>();
  for (let e = s.firstEvent; e < s.endEvent; e++) {
    const cause = eventCause(run, e);
    if (!cause) continue;
    let row = byCause.get(cause);
    if (!row) {
      row = { events: 0, first: e, moves: new Map() };
      byCause.set(cause, row);
    }
    row.events++;
    const mm = t.mmNames[t.mm[e]!] ?? "";
    for (let i = 0; i < t.effCount[e]!; i++) {
      const o = (t.effStart[e]! + i) * 4;
      const from = t.effects[o]!;
      const to = t.effects[o + 1]!;
      if (from === to) continue;
      const k = `${transitionText(run, from, to)} on the ${mm}`;
      row.moves.set(k, (row.moves.get(k) ?? 0) + t.effects[o + 3]!);
    }
  }
  return [...byCause.entries()]
    .map(([cause, r]) => {
      const moves = [...r.moves.entries()].sort((a, b) => b[1] - a[1]);
      return {
        cause,
        events: r.events,
        first: r.first,
        changed: moves.reduce((n, [, c]) => n + c, 0),
        did: moves.map(([what, n]) => `${pagesText(n)}: ${what}`),
      };
    })
    .sort((a, b) => b.changed - a.changed || a.first - b.first)
    .map(({ first: _first, ...line }) => line);
}

/** How many call paths show before "N more": every one that changed pages, and at least `min`. */
export function causesShown(lines: readonly CauseLine[], min = 4): number {
  const moving = lines.filter((l) => l.changed > 0).length;
  return Math.min(lines.length, Math.max(min, moving));
}
