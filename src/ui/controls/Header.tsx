/**
 * Title bar: which scenario, under which kernel, and how it ended.
 *
 * While another scenario or kernel computes, the pickers show the new choice at once, the run on
 * screen stays (and can be stepped), the outcome badge is that run's, and a "computing …" note
 * beside it says what is coming.
 */
import { chosenKernel } from "../../state/store.ts";
import type { VariantId } from "../../worker/api.ts";
import { CompareEntry } from "../compare/CompareEntry.tsx";
import { PresentButton } from "../lecture/PresentButton.tsx";
import { ShareToolbar } from "../share/ShareToolbar.tsx";
import { useApp, useAppStore } from "../store-context.tsx";
import { SweepEntry } from "../sweep/SweepEntry.tsx";

export function Header() {
  const store = useAppStore();
  const presets = useApp((s) => s.presets);
  const variants = useApp((s) => s.variants);
  const presetId = useApp((s) => s.presetId);
  const run = useApp((s) => s.run);
  const status = useApp((s) => s.status);
  const kernel = useApp(chosenKernel);
  const preset = presets.find((p) => p.id === presetId);
  const pending = status === "loading" && run !== null;
  const coming = variants.find((v) => v.id === kernel);
  return (
    <header className="header">
      <h1 className="brand">
        <span aria-hidden="true" className="brand-mark" />
        Zeropage Lab
      </h1>
      <label className="field scenario-field">
        <span>Scenario</span>
        <select
          value={presetId ?? ""}
          onChange={(e) => void store.getState().loadPreset(e.target.value)}
          aria-label="Scenario preset"
          title={preset?.summary}
        >
          {presetId === null && <option value="">custom scenario</option>}
          {presets.map((p) => (
            <option key={p.id} value={p.id}>
              {p.title}
            </option>
          ))}
        </select>
      </label>
      <label className="field kernel-field">
        <span>Kernel</span>
        <select
          value={kernel ?? ""}
          onChange={(e) => void store.getState().setKernel(e.target.value as VariantId)}
          aria-label="Kernel variant"
        >
          {variants.map((v) => (
            <option key={v.id} value={v.id}>
              {v.letter} · {v.id}
              {preset && !preset.variants.includes(v.id) ? " (not one of this story's variants)" : ""}
            </option>
          ))}
        </select>
      </label>
      {run && (
        <span className="versions muted" title={run.kernel.title}>
          Linux {run.kernel.sourceTag} · QEMU {run.qemuVersion}
        </span>
      )}
      <CompareEntry />
      <SweepEntry />
      <ShareToolbar />
      <PresentButton />
      {pending && (
        <span className="pending-run" role="status" data-testid="pending-run">
          <span className="pending-spinner" aria-hidden="true" />
          computing {coming ? `${coming.letter} · ${coming.id}` : "the new run"}… showing {run.kernel.letter}{" "}
          · {run.kernel.id} until it is ready
        </span>
      )}
      <span
        className={`outcome outcome-${run ? run.outcome : status}`}
        data-testid="outcome"
        title={run?.outcomeReason || undefined}
      >
        {run ? run.outcome : status === "loading" ? "computing…" : status}
      </span>
    </header>
  );
}
