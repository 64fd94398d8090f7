/**
 * The handout's key frames: the moments of a run a lecture stops at, derived from the trace
 * alone, like the timeline's markers (views/markers.ts), with no kernel semantics of their own.
 *
 *   balloon inflated       the end of each action marked "inflate": the discard has emptied the
 *                          ballooned PTEs;
 *   first touch            the first later event on that address space that changes PTEs the
 *                          inflate emptied (its footprint overlaps the discarded pages, and it
 *                          moves PTEs out of the state the discard left them in): in the commit's
 *                          story, migration's first read of ballooned memory;
 *   migration, keys, PV, KSM, deflate, switchover
 *                          the end of the action the marker names (a migration that completes:
 *                          "migration complete");
 *   hang, failure          the event where the run hung or failed;
 *   the end                when the run has no markers at all: the end of every action.
 *
 * Frames are grouped for printing, one group per page: an inflate and its first touch together,
 * the others in pairs, in the order of the run.
 */

import { normalizeRuns } from "../../base/runs.ts";
import { eventSentence } from "../export/captions.ts";
import { formatInt } from "../format.ts";
import { actionSentence, actionSummary, eventLabel, type NarrationRun } from "../narration/summarize.ts";
import { markerName } from "../views/markers.ts";

export type KeyFrameKind = "inflate" | "first-touch" | "action" | "hang" | "failed" | "end";

export interface KeyFrame {
  readonly kind: KeyFrameKind;
  /** The frame shows the state after this event. */
  readonly event: number;
  readonly action: number;
  /** "The balloon inflated", "First read fault on ballooned memory", … */
  readonly title: string;
  /** The narration's headline at that step (the action's label, or the event's). */
  readonly headline: string;
  /** The narration's sentence for the action or the event. */
  readonly sentence: string;
}

export interface KeyFrameGroup {
  readonly frames: readonly KeyFrame[];
}

/** At most this many frames in a handout (a preset with many markers stays a few pages). */
export const MAX_FRAMES = 12;

type Run = NarrationRun;

/** The pages [first, count) pairs of event e's footprint. */
function footprint(run: Run, e: number): number[] {
  const t = run.trace;
  const out: number[] = [];
  for (let i = 0; i < t.runCount[e]!; i++) {
    const o = (t.runStart[e]! + i) * 2;
    out.push(t.runs[o]!, t.runs[o + 1]!);
  }
  return out;
}

/** Whether any run of `a` overlaps one of the sorted, merged `runs` (binary search). */
function overlaps(a: readonly number[], runs: readonly number[]): boolean {
  const n = runs.length / 2;
  for (let i = 0; i < a.length; i += 2) {
    const lo = a[i]!;
    const hi = lo + a[i + 1]!;
    // The last run starting before hi is the only one that can reach past lo.
    let l = 0;
    let h = n - 1;
    let k = -1;
    while (l <= h) {
      const m = (l + h) >> 1;
      if (runs[2 * m]! < hi) {
        k = m;
        l = m + 1;
      } else h = m - 1;
    }
    if (k >= 0 && runs[2 * k]! + runs[2 * k + 1]! > lo) return true;
  }
  return false;
}

/**
 * The first event after action `inflate` that fills PTEs the inflate emptied: same address space,
 * a footprint overlapping the pages the inflate changed, and an effect that moves PTEs out of a
 * state the inflate moved pages into. -1 if there is none.
 */
export function firstTouchAfter(run: Run, inflate: number): number {
  const t = run.trace;
  const a = t.actions[inflate];
  if (!a) return -1;
  const emptied = new Map<number, { states: Set<number>; pages: number[] }>();
  for (let e = a.firstEvent; e < a.endEvent; e++) {
    for (let i = 0; i < t.effCount[e]!; i++) {
      const o = (t.effStart[e]! + i) * 4;
      if (t.effects[o] === t.effects[o + 1]) continue;
      const mm = t.mm[e]!;
      const entry = emptied.get(mm) ?? { states: new Set<number>(), pages: [] };
      entry.states.add(t.effects[o + 1]!);
      entry.pages.push(...footprint(run, e));
      emptied.set(mm, entry);
    }
  }
  const sorted = new Map([...emptied].map(([mm, x]) => [mm, normalizeRuns(x.pages)]));
  for (let e = a.endEvent; e < t.events; e++) {
    const entry = emptied.get(t.mm[e]!);
    if (!entry) continue;
    let fills = false;
    for (let i = 0; i < t.effCount[e]! && !fills; i++) {
      const o = (t.effStart[e]! + i) * 4;
      fills = t.effects[o] !== t.effects[o + 1] && entry.states.has(t.effects[o]!);
    }
    if (fills && overlaps(footprint(run, e), sorted.get(t.mm[e]!)!)) return e;
  }
  return -1;
}

function actionFrame(run: Run, i: number, kind: KeyFrameKind, title: string): KeyFrame {
  const t = run.trace;
  const a = t.actions[i]!;
  const sentence = actionSentence(run, actionSummary(run, i)).replace(/^Action \d+ of \d+: .*?\.\s*/, "");
  return {
    kind,
    event: Math.max(0, a.endEvent - 1),
    action: i,
    title,
    headline: `Action ${i + 1} of ${t.actions.length}: ${a.label}`,
    sentence: sentence || a.label,
  };
}

function eventFrame(run: Run, e: number, kind: KeyFrameKind, title: string): KeyFrame {
  const t = run.trace;
  const a = t.action[e]!;
  return {
    kind,
    event: e,
    action: a,
    title,
    headline: `Action ${a + 1} of ${t.actions.length}: ${t.actions[a]?.label ?? ""} · event ${formatInt(e + 1)} of ${formatInt(t.events)}`,
    sentence: eventSentence(run, e),
  };
}

const ACTION_TITLES: Readonly<Record<string, string>> = {
  deflate: "The balloon deflated",
  switchover: "Switchover to the destination",
  "migration-end": "Migration complete",
  skeys: "Storage keys enabled",
  pv: "Protected virtualization enabled",
  ksm: "KSM has merged",
};

/** The run's key frames, in the order of the run (see the file comment). */
export function keyFrames(run: Run): KeyFrame[] {
  const t = run.trace;
  if (t.events === 0) return [];
  const frames: KeyFrame[] = [];
  // Where the run hung or failed (the last event for a failure, the first hung one for a hang).
  let stopEvent = -1;
  if (run.outcome !== "completed") {
    stopEvent = t.events - 1;
    const hungKey = t.extraKeys.indexOf("hung");
    if (run.outcome === "hung" && hungKey >= 0) {
      for (let e = 0; e < t.events; e++)
        if (t.extra[e * t.extraKeys.length + hungKey]! > 0) {
          stopEvent = e;
          break;
        }
    }
  }
  t.actions.forEach((a, i) => {
    if (a.endEvent <= a.firstEvent) return;
    const stopsHere = stopEvent >= a.firstEvent && stopEvent < a.endEvent;
    if (a.marker === "inflate") {
      frames.push(actionFrame(run, i, "inflate", "The balloon inflated"));
      const e = firstTouchAfter(run, i);
      if (e >= 0 && (stopEvent < 0 || e <= stopEvent))
        frames.push(eventFrame(run, e, "first-touch", `First ${eventLabel(run, e)} on ballooned memory`));
    } else if (stopsHere) {
      // Shown below, as the hang or the failure.
    } else if (a.marker === "migration-start") {
      // A migration whose later actions switch over or end it is still under way here.
      const goesOn = t.actions
        .slice(i + 1)
        .some((b) => b.marker === "switchover" || b.marker === "migration-end");
      frames.push(actionFrame(run, i, "action", goesOn ? "Migration under way" : "Migration complete"));
    } else if (a.marker in ACTION_TITLES) {
      frames.push(actionFrame(run, i, "action", ACTION_TITLES[a.marker]!));
    }
    if (stopsHere) {
      const kind = run.outcome === "hung" ? "hang" : "failed";
      const why = run.outcomeReason || (kind === "hang" ? "a vCPU hangs" : "the run failed");
      frames.push(
        eventFrame(run, stopEvent, kind, `${kind === "hang" ? "The run hangs" : "The run fails"}: ${why}`),
      );
    }
  });
  if (frames.length === 0) {
    t.actions.forEach((a, i) => {
      if (a.endEvent > a.firstEvent) frames.push(actionFrame(run, i, "end", `After action ${i + 1}`));
    });
  }
  return frames.slice(0, MAX_FRAMES);
}

/** One page each: an inflate with its first touch, the other frames in pairs. */
export function groupFrames(frames: readonly KeyFrame[]): KeyFrameGroup[] {
  const groups: KeyFrame[][] = [];
  for (let i = 0; i < frames.length; i++) {
    const f = frames[i]!;
    const next = frames[i + 1];
    if (f.kind === "inflate") {
      if (next?.kind === "first-touch") {
        groups.push([f, next]);
        i++;
      } else groups.push([f]);
      continue;
    }
    if (next && next.kind !== "inflate") {
      groups.push([f, next]);
      i++;
    } else groups.push([f]);
  }
  return groups.map((frames) => ({ frames }));
}

/** "inflate" → "inflate", as the timeline's flags say it (for the frame's small label). */
export function frameTag(f: KeyFrame, run: Run): string {
  if (f.kind === "first-touch") return "first touch";
  if (f.kind === "hang" || f.kind === "failed") return markerName(f.kind);
  return markerName(run.trace.actions[f.action]?.marker ?? "") || "step";
}
