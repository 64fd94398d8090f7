/**
 * React access to the link machinery: the link sync (src/state/link-sync.ts) and the cancellable
 * engine (src/ui/editor/restartable-engine.ts). Both are optional, so the share, editor, gallery
 * and export components also render in a page (or a test) that has neither.
 */
import { createContext, type ReactNode, useContext } from "react";
import { useStore } from "zustand";
import { createStore } from "zustand/vanilla";
import type { LinkStatus } from "../../state/link-state.ts";
import type { LinkSync } from "../../state/link-sync.ts";
import type { EngineProgress, RestartableEngine } from "../../state/restartable-engine.ts";

interface Handles {
  readonly sync: LinkSync | null;
  readonly engine: RestartableEngine | null;
}

const HandlesContext = createContext<Handles>({ sync: null, engine: null });

export function ShareProvider({
  sync,
  engine,
  children,
}: {
  sync: LinkSync | null;
  engine: RestartableEngine | null;
  children: ReactNode;
}) {
  return <HandlesContext.Provider value={{ sync, engine }}>{children}</HandlesContext.Provider>;
}

export function useLinkSync(): LinkSync | null {
  return useContext(HandlesContext).sync;
}

export function useEngineHandle(): RestartableEngine | null {
  return useContext(HandlesContext).engine;
}

const NO_LINKS = createStore<LinkStatus>()(() => ({
  error: null,
  notes: [],
  report: null,
  zoom: null,
  viewStart: null,
  section: null,
  balloonHighlight: false,
  present: false,
  sweep: null,
  compare: null,
  embed: null,
  page: null,
}));

/** A value from the link status (error, self-check report, zoom, compare, embed). */
export function useLinks<T>(selector: (s: LinkStatus) => T): T {
  const sync = useLinkSync();
  return useStore(sync?.links ?? NO_LINKS, selector);
}

const IDLE = createStore<EngineProgress>()(() => ({
  running: false,
  startedAt: 0,
  last: null,
  cancelled: false,
}));

export function useEngineProgress<T>(selector: (s: EngineProgress) => T): T {
  const engine = useEngineHandle();
  return useStore(engine?.progress ?? IDLE, selector);
}
