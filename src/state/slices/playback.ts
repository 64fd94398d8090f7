/**
 * The playback slice: where in the trace the app is (`position`, the target, and `view`, what the
 * views show), at which granularity, and playing or not.
 *
 * Seeking is latest-wins (latest.ts): while a view request is in flight, further seeks only
 * remember their target. Granularity changes, and the seeks and steps issued while one is
 * pending, run in order, one at a time (a step pressed after `]` is a step in the new units).
 */
import type { Granularity } from "../../worker/api.ts";
import { type LatestWins, latestWins } from "../latest.ts";
import type { AppState } from "../store.ts";
import type { Kit } from "./kit.ts";

export const SPEEDS = [0.25, 0.5, 1, 2, 4, 8] as const;
export const GRANULARITY_ORDER: readonly Granularity[] = ["action", "table", "pte"];

/** The app's cursor: the view requests, and the queue of granularity changes. */
export interface Cursor {
  /** Asks for the view at `position` of the run on screen (latest-wins). */
  show(position: number): void;
  /** Forgets a view request still waiting (a new run lands with its own view). */
  drop(): void;
  /** Seeks now, clamped to the run and stopped at an exercise's open question. */
  seekNow(position: number): void;
  /** Runs `op` after the granularity changes before it. */
  enqueue(op: () => void | Promise<void>): Promise<void>;
  /** A granularity change is converting the position. */
  converting(): boolean;
  /** Nothing in flight, waiting or queued. */
  idle(): boolean;
}

export function createCursor({ api, set, get }: Kit): Cursor {
  /**
   * An answer still for the run and granularity shown is shown; it moves the target `position`
   * (the worker clamps) only when no newer target waits behind it: a key pressed meanwhile
   * would be lost.
   */
  const views: LatestWins<number> = latestWins(async (position) => {
    const s = get();
    if (!s.run) return;
    const runId = s.run.runId;
    try {
      const view = await api.view({ runId, granularity: s.granularity, position, selection: s.selection });
      if (get().run?.runId === runId && view.granularity === get().granularity)
        set(views.waiting() ? { view } : { view, position: view.position });
    } catch (e) {
      set({ error: `the engine could not show this step: ${String(e)}` });
    }
  });
  const ops: (() => void | Promise<void>)[] = [];
  let draining: Promise<void> | null = null;
  const cursor: Cursor = {
    show(position) {
      void views.ask(position);
    },
    drop() {
      views.drop();
    },
    seekNow(position) {
      const s = get();
      if (!s.run) return;
      let p = Math.max(0, Math.min(Math.round(position), s.run.counts[s.granularity]));
      // An exercise's open question: a seek from before it stops there.
      const lim = s.seekLimit;
      if (lim && lim.runId === s.run.runId && lim.granularity === s.granularity) {
        if (s.position <= lim.position && p > lim.position) {
          p = lim.position;
          if (s.playing) set({ playing: false });
        }
      }
      set({ position: p });
      cursor.show(p);
    },
    enqueue(op) {
      ops.push(op);
      draining ??= (async () => {
        while (ops.length > 0) {
          try {
            await ops.shift()!();
          } catch (e) {
            set({ error: `the engine could not change the step: ${String(e)}` });
          }
        }
        draining = null;
      })();
      return draining;
    },
    converting: () => draining !== null,
    idle: () => draining === null && views.idle(),
  };
  return cursor;
}

type PlaybackActions = Pick<
  AppState,
  | "seek"
  | "seekToEvent"
  | "stepBy"
  | "setGranularity"
  | "stepGranularity"
  | "setSeekLimit"
  | "setPlaying"
  | "togglePlaying"
  | "setSpeed"
  | "stepSpeed"
>;

export function playbackActions({ api, set, get }: Kit, cursor: Cursor): PlaybackActions {
  return {
    seek(position) {
      const s = get();
      if (!s.run) return;
      if (!cursor.converting()) {
        cursor.seekNow(position);
        return;
      }
      // A granularity change is converting the position: `position` is in the current units, so
      // it is converted too once the change has landed, and applied in order.
      const from = s.granularity;
      const runId = s.run.runId;
      void cursor.enqueue(async () => {
        const now = get();
        if (!now.run || now.run.runId !== runId) return;
        cursor.seekNow(
          from === now.granularity ? position : await api.convert(runId, from, position, now.granularity),
        );
      });
    },

    async seekToEvent(event) {
      const s = get();
      if (!s.run) return;
      if (event < 0) {
        get().seek(0);
        return;
      }
      // At action granularity, go to the end of the action the event belongs to (the worker's
      // answer would be the last action boundary before the event's end).
      if (s.granularity === "action") {
        const e = Math.min(event, s.run.trace.events - 1);
        get().seek(e < 0 ? 0 : s.run.trace.action[e]! + 1);
        return;
      }
      const runId = s.run.runId;
      const granularity = s.granularity;
      const p = await api.positionOfEvent(runId, granularity, event);
      if (get().run?.runId === runId && get().granularity === granularity) get().seek(p);
    },

    stepBy(delta) {
      // While a granularity change is pending, a step is a step in the new units, after it.
      if (cursor.converting()) void cursor.enqueue(() => cursor.seekNow(get().position + delta));
      else get().seek(get().position + delta);
    },

    async setGranularity(granularity) {
      set({ wantedGranularity: granularity });
      await cursor.enqueue(async () => {
        const s = get();
        if (!s.run || granularity === s.granularity) {
          set({ granularity });
          return;
        }
        const runId = s.run.runId;
        const position = await api.convert(runId, s.granularity, s.position, granularity);
        if (get().run?.runId !== runId) return;
        set({ granularity, position });
        cursor.show(position);
      });
    },

    async stepGranularity(delta) {
      const i = GRANULARITY_ORDER.indexOf(get().wantedGranularity);
      const next = GRANULARITY_ORDER[Math.max(0, Math.min(GRANULARITY_ORDER.length - 1, i + delta))]!;
      await get().setGranularity(next);
    },

    setSeekLimit(seekLimit) {
      set({ seekLimit });
    },

    setPlaying(playing) {
      set({ playing: playing && get().run !== null });
    },

    togglePlaying() {
      const s = get();
      if (!s.run) return;
      if (s.playing) {
        set({ playing: false });
        return;
      }
      if (s.position >= s.run.counts[s.granularity]) get().seek(0);
      set({ playing: true });
    },

    setSpeed(speed) {
      set({ speed: Math.max(0.25, Math.min(8, speed)) });
    },

    stepSpeed(delta) {
      const s = get();
      let i = SPEEDS.findIndex((v) => v >= s.speed);
      if (i < 0) i = SPEEDS.length - 1;
      set({ speed: SPEEDS[Math.max(0, Math.min(SPEEDS.length - 1, i + delta))]! });
    },
  };
}
