/**
 * Playback pacing: how many steps the playhead advances on an animation frame. At 1× it moves
 * STEPS_PER_SECOND[g] steps per second at the current granularity (an action a second, 16 page
 * tables, 64 PTEs); speed scales that from 0.25× to 8×. The fraction left over carries to the
 * next frame, so the pace does not depend on the frame rate. A long gap (a background tab) counts
 * as at most MAX_FRAME_MS, so playback never leaps ahead on return.
 */
import type { Granularity } from "../../worker/api.ts";

export const STEPS_PER_SECOND: Readonly<Record<Granularity, number>> = { action: 1, table: 16, pte: 64 };
export const MAX_FRAME_MS = 250;

export interface Advance {
  readonly steps: number;
  readonly carry: number;
}

export function advance(carry: number, dtMs: number, speed: number, g: Granularity): Advance {
  const dt = Math.max(0, Math.min(MAX_FRAME_MS, dtMs));
  const exact = carry + (dt / 1000) * STEPS_PER_SECOND[g] * speed;
  const steps = Math.floor(exact + 1e-9);
  if (steps === 0) return { steps, carry: exact };
  return { steps, carry: Math.max(0, exact - steps) };
}

/** How long one step lasts while playing, for tweening (capped: long steps still move briskly). */
export function stepDurationMs(speed: number, g: Granularity): number {
  return Math.min(400, 1000 / (STEPS_PER_SECOND[g] * speed));
}
