/**
 * Global keyboard shortcuts, from the command registry. Keys typed into text fields and selects
 * stay theirs; Space and Enter on a focused button keep activating it; Escape is the dialogs'.
 */
import { useEffect } from "react";
import { type CommandContext, commandForKey } from "../commands.ts";

function ownsKeys(el: EventTarget | null, key: string): boolean {
  if (!(el instanceof HTMLElement)) return false;
  if (el.isContentEditable) return true;
  const tag = el.tagName;
  if (tag === "TEXTAREA" || tag === "SELECT") return true;
  if (tag === "INPUT") {
    const type = (el as HTMLInputElement).type;
    // Radio groups move with arrows; text and number fields take every printable key.
    if (type === "radio") return key.startsWith("Arrow");
    return type !== "checkbox" && type !== "button";
  }
  if (key === " " && (tag === "BUTTON" || tag === "A" || tag === "SUMMARY")) return true;
  if (el.closest("dialog[open]")) return key !== "?";
  return false;
}

export function useShortcuts(ctx: CommandContext): void {
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.defaultPrevented || ownsKeys(e.target, e.key)) return;
      const cmd = commandForKey(e);
      if (!cmd) return;
      e.preventDefault();
      if (cmd.enabled(ctx.store.getState())) cmd.perform(ctx);
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [ctx]);
}
