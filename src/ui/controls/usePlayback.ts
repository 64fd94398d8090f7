/**
 * The playback loop: while `playing`, a requestAnimationFrame loop advances the position at the
 * current granularity (pacing in playback.ts) and stops at the end. Seeks are latest-wins in the
 * store, so a slow view never queues frames: the playhead keeps its pace and the views show the
 * newest step they can.
 *
 * The guided story (lecture/guided.ts): a step that would pass one of the story's key moments
 * stops on it, pauses and shows its caption; Space plays on, → steps on.
 */
import { useEffect } from "react";
import { momentsOf, stopBetween, useGuided } from "../lecture/guided.ts";
import { useApp, useAppStore } from "../store-context.tsx";
import { advance } from "./playback.ts";

export function usePlayback(): void {
  const store = useAppStore();
  const playing = useApp((s) => s.playing);
  useEffect(() => {
    if (!playing) return;
    let raf = 0;
    let last = performance.now();
    // Half a step's worth up front: the first step comes after half an interval, not a whole one.
    let carry = 0.5;
    const tick = (now: number) => {
      const s = store.getState();
      if (!s.playing || !s.run) return;
      const a = advance(carry, now - last, s.speed, s.granularity);
      last = now;
      carry = a.carry;
      if (a.steps > 0) {
        const total = s.run.counts[s.granularity];
        const next = Math.min(total, s.position + a.steps);
        const guided = useGuided.getState();
        const stop = guided.guided ? stopBetween(momentsOf(s.run, s.granularity), s.position, next) : null;
        if (stop) {
          s.seek(stop.position);
          s.setPlaying(false);
          guided.setCaption(stop);
          return;
        }
        s.seek(next);
        if (next >= total) {
          s.setPlaying(false);
          return;
        }
      }
      raf = requestAnimationFrame(tick);
    };
    raf = requestAnimationFrame(tick);
    return () => cancelAnimationFrame(raf);
  }, [playing, store]);
}
