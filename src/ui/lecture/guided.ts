/**
 * The guided story: playback pauses at the story's key moments (the handout's key frames,
 * handout/key-frames.ts: the balloon inflated, the first read of ballooned memory, the migration
 * complete, a hang) with one caption each, and goes on with → or Space. Moments come from the
 * trace alone, as the timeline's markers do.
 *
 * A moment stands at the step that shows the state after its event: the end of its action when
 * stepping by action (so moments in one action share a step and their captions are said
 * together), the end of the event when stepping by page table or PTE.
 */
import { create } from "zustand";
import type { Granularity, RunInfo } from "../../worker/api.ts";
import { keyFrames } from "../handout/key-frames.ts";
import { axisOf } from "../views/derived.ts";

export interface Moment {
  /** The step the story pauses at. */
  readonly position: number;
  /** "The balloon inflated"; several joined by " · " when they share a step. */
  readonly title: string;
  /** The narration's sentence for the moment (or moments). */
  readonly sentence: string;
}

/** The run's key moments at granularity g, in order, one per step. */
export function storyMoments(run: RunInfo, g: Granularity): Moment[] {
  const frames = keyFrames(run).filter((f) => f.kind !== "end");
  const ax = axisOf(run);
  const out: Moment[] = [];
  for (const f of frames) {
    const position =
      g === "action" ? f.action + 1 : g === "table" ? ax.cumTable[f.event + 1]! : ax.cumPte[f.event + 1]!;
    const last = out[out.length - 1];
    if (last && last.position === position)
      out[out.length - 1] = {
        position,
        title: `${last.title} · ${f.title}`,
        sentence: `${last.sentence} ${f.sentence}`,
      };
    else out.push({ position, title: f.title, sentence: f.sentence });
  }
  return out;
}

/** The first moment in (from, to], or null: where a playback step from `from` to `to` must stop. */
export function stopBetween(moments: readonly Moment[], from: number, to: number): Moment | null {
  for (const m of moments) if (m.position > from && m.position <= to) return m;
  return null;
}

interface GuidedState {
  /** Pause at the key moments while playing (on by default). */
  readonly guided: boolean;
  /** The moment playback paused at, shown as a caption while the step stays there. */
  readonly caption: Moment | null;
  setGuided(on: boolean): void;
  setCaption(m: Moment | null): void;
}

export const useGuided = create<GuidedState>()((set) => ({
  guided: true,
  caption: null,
  setGuided: (guided) => set({ guided }),
  setCaption: (caption) => set({ caption }),
}));

const cache = new WeakMap<RunInfo, Map<Granularity, Moment[]>>();

/** storyMoments, computed once per run and granularity. */
export function momentsOf(run: RunInfo, g: Granularity): readonly Moment[] {
  let byG = cache.get(run);
  if (!byG) {
    byG = new Map();
    cache.set(run, byG);
  }
  let m = byG.get(g);
  if (!m) {
    m = storyMoments(run, g);
    byG.set(g, m);
  }
  return m;
}
