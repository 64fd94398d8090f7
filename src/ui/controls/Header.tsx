/** Title bar: which scenario, under which kernel, and how it ended. */
import type { VariantId } from "../../worker/api.ts";
import { CompareEntry } from "../compare/CompareEntry.tsx";
import { ShareToolbar } from "../share/ShareToolbar.tsx";
import { useApp, useAppStore } from "../store-context.tsx";

export function Header() {
  const store = useAppStore();
  const presets = useApp((s) => s.presets);
  const variants = useApp((s) => s.variants);
  const presetId = useApp((s) => s.presetId);
  const run = useApp((s) => s.run);
  const status = useApp((s) => s.status);
  const preset = presets.find((p) => p.id === presetId);
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
          value={run?.kernel.id ?? ""}
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
      <ShareToolbar />
      <span
        className={`outcome outcome-${status === "ready" && run ? run.outcome : status}`}
        data-testid="outcome"
        title={run?.outcomeReason || undefined}
      >
        {status === "loading" ? "computing…" : run ? run.outcome : status}
      </span>
    </header>
  );
}
