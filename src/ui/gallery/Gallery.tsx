/**
 * The preset gallery: one card per shipped scenario with its title, what to watch for, and the
 * kernel variants its story is meant for. Opening a card loads the preset under the chosen
 * variant (store.loadPreset); the URL sync adds a history entry, so Back returns to what was shown.
 */
import type { VariantId } from "../../worker/api.ts";
import { GalleryCompare } from "../compare/CompareEntry.tsx";
import { useApp, useAppStore } from "../store-context.tsx";
import "./gallery.css";

export function Gallery({ onOpen }: { onOpen?: () => void }) {
  const store = useAppStore();
  const presets = useApp((s) => s.presets);
  const variants = useApp((s) => s.variants);
  const currentId = useApp((s) => s.presetId);
  const currentKernel = useApp((s) => s.run?.kernel.id ?? null);
  const open = (id: string, kernel: VariantId) => {
    void store.getState().loadPreset(id, kernel);
    onOpen?.();
  };
  if (presets.length === 0) return <p className="muted">Loading the presets…</p>;
  return (
    <ul className="zl-gallery" data-testid="gallery">
      {presets.map((p) => {
        const first = p.variants[0];
        return (
          <li key={p.id} className={p.id === currentId ? "zl-card zl-current" : "zl-card"} data-preset={p.id}>
            <h3>{p.title}</h3>
            <p className="zl-card-id">
              <code>{p.id}</code>
              {p.id === currentId ? " · shown now" : ""}
            </p>
            <p>{p.summary}</p>
            <fieldset className="zl-card-variants">
              <legend className="visually-hidden">Open under a kernel variant</legend>
              {p.variants.map((k, i) => {
                const v = variants.find((x) => x.id === k);
                const shown = p.id === currentId && k === currentKernel;
                return (
                  <button
                    key={k}
                    type="button"
                    className={i === 0 ? "zl-primary" : ""}
                    aria-pressed={shown}
                    title={v?.title ?? k}
                    onClick={() => open(p.id, k)}
                  >
                    {i === 0 ? "Open" : "or"} · {v ? `${v.letter} ${k}` : k}
                  </button>
                );
              })}
              <GalleryCompare presetId={p.id} onOpen={onOpen} />
              {!first && (
                <button type="button" onClick={() => void store.getState().loadPreset(p.id)}>
                  Open
                </button>
              )}
            </fieldset>
          </li>
        );
      })}
    </ul>
  );
}
