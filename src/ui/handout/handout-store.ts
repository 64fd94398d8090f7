/** Whether the handout is open: the export menu opens it, the handout's own Close closes it. */
import { createStore } from "zustand/vanilla";

export const handout = createStore<{ open: boolean }>()(() => ({ open: false }));

export function openHandout(): void {
  handout.setState({ open: true });
}

export function closeHandout(): void {
  handout.setState({ open: false });
}
