/** React access to the before/after slice (src/state/before-after.ts), provided at the root. */
import { createContext, type ReactNode, useContext } from "react";
import { useStore } from "zustand";
import { createStore } from "zustand/vanilla";
import type { BeforeAfterState, BeforeAfterStore } from "../../state/before-after.ts";

const Context = createContext<BeforeAfterStore | null>(null);

export function BeforeAfterProvider({ store, children }: { store: BeforeAfterStore; children: ReactNode }) {
  return <Context.Provider value={store}>{children}</Context.Provider>;
}

const OFF = createStore<BeforeAfterState>()(() => ({
  patch: null,
  shown: false,
  third: null,
  status: "off",
  error: null,
  columns: [],
  info: null,
  step: null,
  setShown() {},
  setThird() {},
  isIdle: () => true,
}));

/** The slice, or an inert one where the page has none (tests of other views, embeds). */
export function useBeforeAfterStore(): BeforeAfterStore {
  return useContext(Context) ?? OFF;
}

export function useBeforeAfter<T>(selector: (s: BeforeAfterState) => T): T {
  return useStore(useBeforeAfterStore(), selector);
}
