/** React access to the compare slice (src/state/compare.ts): one per page, provided at the root. */
import { createContext, type ReactNode, useContext } from "react";
import { useStore } from "zustand";
import { createStore, type StoreApi } from "zustand/vanilla";
import type { CompareState, CompareStore } from "../../state/compare.ts";

const CompareContext = createContext<CompareStore | null>(null);

export function CompareProvider({ store, children }: { store: CompareStore; children: ReactNode }) {
  return <CompareContext.Provider value={store}>{children}</CompareContext.Provider>;
}

/** The compare store, or null when the page has none (tests of other views, embeds). */
export function useCompareStoreOrNull(): CompareStore | null {
  return useContext(CompareContext);
}

export function useCompareStore(): CompareStore {
  const s = useContext(CompareContext);
  if (!s) throw new Error("useCompare outside CompareProvider");
  return s;
}

export function useCompare<T>(selector: (s: CompareState) => T): T {
  return useStore(useCompareStore(), selector);
}

const OFF = createStore<Pick<CompareState, "rightKernel">>()(() => ({ rightKernel: null }));

/** Whether compare mode is on (false when the page has no compare store). */
export function useComparing(): boolean {
  const s = useCompareStoreOrNull() as StoreApi<Pick<CompareState, "rightKernel">> | null;
  return useStore(s ?? OFF, (x) => x.rightKernel !== null);
}
