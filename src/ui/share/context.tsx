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
import { useApp } from "../store-context.tsx";

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

/** A value from the link status (error, self-check report, zoom, compare, embed): the app store's `link`. */
export function useLinks<T>(selector: (s: LinkStatus) => T): T {
  return useApp((s) => selector(s.link));
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
