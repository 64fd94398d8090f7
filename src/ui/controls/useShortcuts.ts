/**
 * Global keyboard shortcuts, from the command registry, and the rule for who owns a key.
 *
 * The step keys (→ ←, Space, Home, End, [ ], M, G, ?) work wherever the focused control does not
 * need that key for itself. What a control needs:
 *
 *   text fields, textareas, editable text   every key (typing, the caret's arrows)
 *   sliders (range inputs)                  arrows, Home, End, Page Up/Down: they move the slider
 *   radio buttons                           arrows: they move the choice
 *   selects (closed lists)                  ↑ ↓ (change the choice), Space, Enter (open the
 *                                           list), Home, End and letters (type-ahead); ← and →
 *                                           are the step keys, because ↑ ↓ already change the
 *                                           choice (the browser's ← → duplicate them on some
 *                                           platforms and not on others)
 *   buttons, links, summaries               Space and Enter: they activate them
 *   an open dialog                          every key but ?
 *   widgets with their own arrow keys       the map canvases, the PTE grid and the timeline
 *                                           handle their keys and call preventDefault()
 *
 * And a select chosen with the pointer gives the focus back to the page: the mouse was the input,
 * so the narration's "Press → to step" and Space must step and play, not reopen or move that
 * select (a kernel picker that stays focused would switch the kernel on the next →). A select
 * changed with the keyboard keeps the focus: that user is moving through the controls.
 */
import { useEffect } from "react";
import { type CommandContext, commandForKey } from "../commands.ts";

const SELECT_KEYS = new Set(["ArrowUp", "ArrowDown", " ", "Enter", "Home", "End", "PageUp", "PageDown"]);
const SLIDER_KEYS = new Set([
  "ArrowLeft",
  "ArrowRight",
  "ArrowUp",
  "ArrowDown",
  "Home",
  "End",
  "PageUp",
  "PageDown",
]);

/** Whether the focused element `el` needs key `key` for itself (the table above). */
export function ownsKey(el: EventTarget | null, key: string): boolean {
  if (!(el instanceof HTMLElement)) return false;
  if (el.closest("dialog[open]")) return key !== "?";
  if (el.isContentEditable) return true;
  const tag = el.tagName;
  if (tag === "TEXTAREA") return true;
  if (tag === "SELECT") return SELECT_KEYS.has(key) || key.length === 1;
  if (tag === "INPUT") {
    const type = (el as HTMLInputElement).type;
    if (type === "radio") return key.startsWith("Arrow");
    if (type === "range") return SLIDER_KEYS.has(key);
    if (type === "checkbox") return key === " ";
    if (type === "button" || type === "submit" || type === "reset") return key === " " || key === "Enter";
    return true;
  }
  if ((key === " " || key === "Enter") && (tag === "BUTTON" || tag === "A" || tag === "SUMMARY")) return true;
  return false;
}

/**
 * Blurs a select after a choice made with the pointer (see above). The last input on each select
 * decides: a pointer press on it (opening its list) or a key press on it.
 */
function useSelectFocusPolicy(): void {
  useEffect(() => {
    const lastInput = new WeakMap<HTMLSelectElement, "pointer" | "keyboard">();
    const onPointer = (e: Event) => {
      if (e.target instanceof HTMLSelectElement) lastInput.set(e.target, "pointer");
    };
    const onKey = (e: Event) => {
      if (e.target instanceof HTMLSelectElement) lastInput.set(e.target, "keyboard");
    };
    const onChange = (e: Event) => {
      const el = e.target;
      if (!(el instanceof HTMLSelectElement) || el.closest("dialog[open]")) return;
      if (lastInput.get(el) === "pointer" && document.activeElement === el) el.blur();
    };
    document.addEventListener("pointerdown", onPointer, true);
    document.addEventListener("keydown", onKey, true);
    document.addEventListener("change", onChange, true);
    return () => {
      document.removeEventListener("pointerdown", onPointer, true);
      document.removeEventListener("keydown", onKey, true);
      document.removeEventListener("change", onChange, true);
    };
  }, []);
}

export function useShortcuts(ctx: CommandContext): void {
  useSelectFocusPolicy();
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.defaultPrevented || ownsKey(e.target, e.key)) return;
      const cmd = commandForKey(e);
      if (!cmd) return;
      // Also keeps the focused control's default (a select's ← →) from running.
      e.preventDefault();
      if (cmd.enabled(ctx.store.getState())) cmd.perform(ctx);
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [ctx]);
}
