/**
 * Rebuilding a world part-way through one event, cheaply, for comparisons that only read page
 * tables: the event's own mm is copied and the event replayed on it for its first `done` pages;
 * everything else (the other mm, the hypervisor's page sets, by far the largest part of a world)
 * is shared with the base, which is never changed. Page-set events are bookkeeping outside the
 * kernel and are not replayed (state-diff.ts does not compare page sets).
 */
import { applyEvent, type KernelEvent, type World } from "../engine/index.ts";

/** A world sharing everything with `w` except mm `mm`, which is a copy. */
export function cloneMm(w: World, mm: number): World {
  const copy = Object.create(Object.getPrototypeOf(w) as object) as World;
  copy.mms = w.mms.map((m, i) => (i === mm ? m.clone() : m));
  copy.pagesets = w.pagesets;
  return copy;
}

/** `base` (the world before event `e`) after the first `done` pages of `e` (Infinity: all of it). */
export function withPrefix(base: World, e: KernelEvent, done: number): World {
  if (e.kind === "pageset" || done <= 0) return base;
  const w = cloneMm(base, e.mm);
  applyEvent(w, e, done);
  return w;
}
