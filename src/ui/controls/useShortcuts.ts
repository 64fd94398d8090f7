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
 * And a choice made with the pointer in a control that keeps arrow keys (a select, a radio group
 * such as "Step by") gives the focus back to the page: the mouse was the input, so the
 * narration's "Press → to step" and Space must step and play, not move that choice (a kernel
 * picker that stayed focused switched the kernel on the next →). A choice made with the keyboard
 * keeps the focus: that user is moving through the controls.
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

/** A control that keeps arrow keys for itself: a select or a radio button. */
function keepsArrows(el: EventTarget | null): el is HTMLSelectElement | HTMLInputElement {
  return el instanceof HTMLSelectElement || (el instanceof HTMLInputElement && el.type === "radio");
}

/**
 * Blurs a select or radio button after a choice made with the pointer (see above). The last input
 * on each control decides: a pointer press on it (or on its label) or a key press on it.
 */
function usePointerChoiceFocusPolicy(): void {
  useEffect(() => {
    const lastInput = new WeakMap<Element, "pointer" | "keyboard">();
    const controlOf = (t: EventTarget | null): Element | null => {
      if (keepsArrows(t)) return t;
      // A press on a radio's label chooses the radio.
      const label = t instanceof Element ? t.closest("label") : null;
      return label?.control && keepsArrows(label.control) ? label.control : null;
    };
    const onPointer = (e: Event) => {
      const c = controlOf(e.target);
      if (c) lastInput.set(c, "pointer");
    };
    const onKey = (e: Event) => {
      if (keepsArrows(e.target)) lastInput.set(e.target, "keyboard");
    };
    const onChange = (e: Event) => {
      const el = e.target;
      if (!keepsArrows(el) || el.closest("dialog[open]")) return;
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
  usePointerChoiceFocusPolicy();
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
