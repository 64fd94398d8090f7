/** Presentation mode: on when the link says present=1; the key P, the header button and the link share it. */
import { useLinkSync, useLinks } from "../share/context.tsx";

export function usePresenting(): boolean {
  return useLinks((s) => s.present);
}

export function useTogglePresenting(): () => void {
  const sync = useLinkSync();
  return () => sync?.setPresent(!sync.links.getState().present);
}
