/**
 * The header's "Sweep" action: opens the Sweep panel in a dialog. The dialog follows the
 * sweep slice (state/sweep.ts), so a link with sweep= opens it too, and Back to one reopens it.
 */
import { Dialog } from "../share/Dialog.tsx";
import { useStudy, useSweep } from "../study/context.tsx";
import { SweepPanel } from "./SweepPanel.tsx";
import "./sweep.css";

export function SweepEntry() {
  const study = useStudy();
  const open = useSweep((s) => s.open);
  if (!study) return null;
  return (
    <>
      <button
        type="button"
        className="zs-entry"
        onClick={() => study.sweep.getState().openPanel()}
        aria-haspopup="dialog"
        aria-expanded={open}
      >
        Sweep
      </button>
      <Dialog
        open={open}
        onClose={() => study.sweep.getState().close()}
        title="Parameter sweep"
        className="zs-dialog"
      >
        <SweepPanel />
      </Dialog>
    </>
  );
}
