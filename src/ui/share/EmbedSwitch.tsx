/**
 * The full app, or the reduced embed layout when the link says `embed=1`. Follows the link, so
 * Back/Forward between an embed link and a full one switch layouts without a reload. A view that
 * throws leaves an error message and a way back, not a blank page.
 */
import type { ReactNode } from "react";
import { useAppStore } from "../store-context.tsx";
import { useLinks } from "./context.tsx";
import { EmbedApp } from "./EmbedApp.tsx";
import { ErrorBoundary } from "./ErrorBoundary.tsx";

export function EmbedSwitch({ full }: { full: ReactNode }) {
  const store = useAppStore();
  const embed = useLinks((s) => s.embed !== null);
  const recover = () => {
    const first = store.getState().presets[0];
    if (first) void store.getState().loadPreset(first.id);
  };
  return <ErrorBoundary onRecover={recover}>{embed ? <EmbedApp /> : full}</ErrorBoundary>;
}
