/**
 * The `?` overlay: every command from the registry with its keys, grouped; a modal <dialog>
 * (focus stays inside, Escape closes it, focus returns to where it was).
 */
import { useEffect, useRef } from "react";
import { COMMANDS, GROUPS } from "../commands.ts";
import { IconClose } from "../controls/Icons.tsx";
import { STEPS_PER_SECOND } from "../controls/playback.ts";
import { useApp, useAppStore } from "../store-context.tsx";

export function HelpOverlay() {
  const store = useAppStore();
  const open = useApp((s) => s.helpOpen);
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const d = ref.current;
    if (!d) return;
    if (open && !d.open) d.showModal();
    if (!open && d.open) d.close();
  }, [open]);
  return (
    <dialog
      ref={ref}
      className="help"
      aria-labelledby="help-title"
      onClose={() => store.getState().setHelpOpen(false)}
    >
      <div className="help-body">
        <header className="help-head">
          <h2 id="help-title">Keyboard shortcuts</h2>
          <button
            type="button"
            className="icon-button"
            aria-label="Close"
            title="Close (Esc)"
            onClick={() => store.getState().setHelpOpen(false)}
          >
            <IconClose />
          </button>
        </header>
        {GROUPS.map((g) => (
          <section key={g} aria-labelledby={`help-${g}`}>
            <h3 id={`help-${g}`}>{g}</h3>
            <dl className="keys">
              {COMMANDS.filter((c) => c.group === g).map((c) => (
                <div key={c.id} data-command={c.id}>
                  <dt>
                    {c.keys.map((k, i) => (
                      <span key={k.key}>
                        {i > 0 && <span className="muted"> or </span>}
                        <kbd>{k.label}</kbd>
                      </span>
                    ))}
                  </dt>
                  <dd>{c.label}</dd>
                </div>
              ))}
            </dl>
          </section>
        ))}
        <section aria-labelledby="help-timeline">
          <h3 id="help-timeline">Timeline</h3>
          <p>
            Focus the timeline (Tab) and use ← → to step, PageUp / PageDown to move a whole event, Home / End
            to jump. Drag it with the pointer; click a chart to go to that event.
          </p>
          <p>
            The keys work wherever the focused control does not need them: a text field keeps every key, a
            slider its arrows, and a list (such as the kernel picker) ↑ ↓ to change its choice, so ← and →
            still step. A list or a “Step by” choice made with the mouse gives the keys back to the page.
          </p>
          <p className="muted">
            At 1×, playback moves {STEPS_PER_SECOND.action} action, {STEPS_PER_SECOND.table} page tables or{" "}
            {STEPS_PER_SECOND.pte} PTEs a second; speed scales that from 0.25× to 8×.
          </p>
        </section>
      </div>
    </dialog>
  );
}
