/** The header's presentation-mode button (the key P and present=1 in the link do the same). */
import { titleOf } from "../commands.ts";
import { usePresenting, useTogglePresenting } from "./presenting.ts";

export function PresentButton() {
  const on = usePresenting();
  const toggle = useTogglePresenting();
  return (
    <button
      type="button"
      className="present-button"
      aria-pressed={on}
      onClick={toggle}
      title={titleOf("toggle-presentation")}
      data-testid="present-button"
    >
      {on ? "Leave presentation" : "Present"}
    </button>
  );
}
